"""The 项目支出绩效自评表: one sheet per project in a department's workbook, over the same model.

``form`` loads a project form (templates/projects/*.yaml); ``project`` checks a project's data and
turns it into a model ``Template``; ``layout`` and ``cells`` place it on its sheet; ``render`` writes
the department's workbook; ``listing`` reads the bureau's 项目清单.
"""

"""The 名单 workbook a bureau fills for ``build --prefill``: one row per department.

Chinese headers with their units (the prefill reader matches them back), an example row (skipped on
reading because its name starts with 示例), number formats, and data validation for choices, numbers
and percents, so a value typed wrong is refused where it is typed.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from .formats import FONT, INPUT_FILL
from .model import Input, Template
from .prefill import EXAMPLE_PREFIX, header_label
from .rules import all_inputs

ROWS = 500  # rows prepared with validation and formats


def items(t: Template) -> list[Input]:
    """The inputs a 名单 offers: every 基础数据 input, then the 自评表 entries (实际完成值, 年度指标值, 自评分)."""
    return [i for i in all_inputs(t) if i.type not in ("date",)]


def _example(inp: Input):
    if inp.choices:
        return inp.choices[0]
    return {"percent": 0.95, "integer": 10, "money": 1_000_000.0}.get(inp.type, 100.0)


def write_prefill_template(t: Template, path: Path, year: int) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    base = {"font_name": FONT, "font_size": 10, "border": 1, "valign": "vcenter"}
    head = wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "text_wrap": True, "align": "center"})
    title = wb.add_format({"font_name": FONT, "font_size": 14, "bold": True})
    note = wb.add_format({"font_name": FONT, "font_size": 9, "text_wrap": True, "valign": "top"})
    cell = {k: wb.add_format({**base, "bg_color": INPUT_FILL, **extra}) for k, extra in
            (("text", {}), ("percent", {"num_format": "0.00%"}), ("money", {"num_format": "#,##0.00"}),
             ("integer", {"num_format": "0"}), ("number", {"num_format": "0.00"}))}
    example = wb.add_format({**base, "italic": True, "font_color": "#7F7F7F"})
    ws = wb.add_worksheet("名单")
    its = items(t)
    ncol = 2 + len(its)
    ws.merge_range(0, 0, 0, min(ncol - 1, 8), f"{t.title}·部门名单（{year}年度）", title)
    ws.merge_range(1, 0, 1, min(ncol - 1, 8),
                   "每行填写一个部门。百分比请填写 95% 或 0.95；金额按表头的单位填写。第 4 行是示例，生成时会跳过"
                   "（部门名称以“示例”开头的行都会跳过）。填好后：workbook-builder build --template "
                   f"{_template_ref(t)} --prefill 本文件 --out-dir 文件夹", note)
    ws.set_row(1, 42)
    headers = ["部门名称", "年度"] + [header_label(i) for i in its]
    for c, h in enumerate(headers):
        ws.write_string(2, c, h, head)
        ws.set_column(c, c, 24 if c == 0 else max(10, min(28, len(h) * 1.6)))
    ws.set_row(2, 48)
    ws.write_string(3, 0, f"{EXAMPLE_PREFIX}单位（请删除本行）", example)
    ws.write_number(3, 1, year, example)
    lists = wb.add_worksheet("选项")
    nlist = 0
    for c, inp in enumerate(its, start=2):
        kind = "text" if inp.choices else inp.type if inp.type in cell else "number"
        ex = _example(inp)
        (ws.write_string if isinstance(ex, str) else ws.write_number)(3, c, ex, example)
        ws.set_column(c, c, None, cell[kind])
        opts = {"ignore_blank": True, "error_title": "输入有误", "input_title": inp.label[:32]}
        if inp.choices:
            for r, ch in enumerate(inp.choices):
                lists.write_string(r, nlist, ch)
            src = f"=选项!${chr(65 + nlist % 26)}$1:${chr(65 + nlist % 26)}${len(inp.choices)}"
            nlist += 1
            opts.update(validate="list", source=src, error_message=f"请从下拉列表中选择：{'、'.join(inp.choices)}"[:255])
        elif inp.numeric:
            lo = inp.min if inp.min is not None else -1e12
            hi = inp.max if inp.max is not None else 1e12
            shown = (lambda x: f"{x * 100:g}%") if inp.type == "percent" else (lambda x: f"{x:g}")
            opts.update(validate="integer" if inp.type == "integer" else "decimal", criteria="between",
                        minimum=lo, maximum=hi,
                        error_message=f"请填写{'整数' if inp.type == 'integer' else '数值'}，范围 {shown(lo)} 至 {shown(hi)}"
                                      + ("；百分比请填写 95% 或 0.95" if inp.type == "percent" else ""))
        else:
            continue
        ws.data_validation(4, c, 4 + ROWS, c, opts)
    ws.data_validation(4, 1, 4 + ROWS, 1, {"validate": "integer", "criteria": "between", "minimum": 2000,
                                           "maximum": 2100, "error_message": "年度应为 2000～2100 之间的整数"})
    lists.hide()
    ws.freeze_panes(3, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(2)
    ws.activate()
    wb.close()


def _template_ref(t) -> str:
    """How the note names the template: its id, or the bureau's 指标体系 file."""
    p = Path(t.source_path)
    return p.name if p.suffix.lower() == ".xlsx" else p.stem

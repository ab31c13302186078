"""Small authoring workbooks for tests, written from plain row lists (XLSForm's markdown tables, as rows)."""

from pathlib import Path

import openpyxl

INFO = [["项目", "内容"], ["编号", "demo"], ["标题", "测试指标体系"], ["地区", "测试县"], ["年度", 2025], ["版本", "1.0"]]
GRADES = [["等级", "最低分"], ["优", 90], ["良", 80], ["中", 60], ["差", 0]]


def workbook(path: Path, system: list[list], **sheets: list[list]) -> Path:
    """``system`` is the 指标体系 sheet (header row first); other sheets by name, or the defaults."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    tables = {"指标体系": system, "基本信息": INFO, "评价等级": GRADES} | sheets
    for name, rows in tables.items():
        if rows is None:
            continue
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
            for c in ws[ws.max_row]:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.data_type = "s"  # typed text, as a bureau's cell formatted as text holds it
    wb.save(path)
    return path

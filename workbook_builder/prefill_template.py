"""The 名单 workbook a bureau fills for ``build --prefill``: one row per department.

Chinese headers with their units (the prefill reader matches them back), an example row that is a
valid department (skipped on reading because its name starts with 示例), number formats, and data validation for choices, numbers
and percents, so a value typed wrong is refused where it is typed.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from .crosscheck import failures
from .engine import compute, slot_values
from .formats import FONT, INPUT_FILL
from .model import Input, Template
from .prefill import BOUND, EXAMPLE_PREFIX, header_label
from .rules import all_inputs, rule_for

ROWS = 500  # rows prepared with validation and formats


def items(t: Template) -> list[Input]:
    """The inputs a 名单 offers: every 基础数据 input, then the 自评表 entries (实际完成值, 年度指标值, 自评分)."""
    return [i for i in all_inputs(t) if i.type not in ("date",)]


def example_values(t: Template) -> dict[str, object]:
    """The example row's values: a valid department (each within its range, every cross-check of
    the template holds, each 自评分 within its row's maximum and its chosen level's range)."""
    its = items(t)
    out: dict[str, object] = {}
    for inp in its:
        if inp.choices:
            out[inp.id] = inp.choices[0]
        elif inp.numeric and inp.slot != "score":
            x = {"percent": 0.95, "integer": 10.0}.get(inp.type)
            if x is None:
                x = 950_000.0 if "执行" in inp.label else 1_000_000.0
            lo, hi = (inp.min if inp.min is not None else -BOUND), (inp.max if inp.max is not None else BOUND)
            out[inp.id] = min(max(x, lo), hi)
    for _ in range(4 * len(t.checks) + 1):  # parts add up to totals; a smaller side grows to the larger
        bad = failures(t, out)
        if not bad:
            break
        for c in bad:
            if c.kind == "sum":
                out[c.total] = sum(float(out[p]) for p in c.parts)
            elif c.kind == "le":
                out[c.right] = float(out[c.left]) / c.factor
            elif c.kind == "cap":
                out[c.left] = c.factor
    derived = compute(t, out).derived
    leaves = {n.id: n for n in t.leaves()}
    for inp in its:
        if inp.slot == "score" and inp.leaf in leaves:
            n = leaves[inp.leaf]
            rng = rule_for(n).score_bounds(n, slot_values(n, out, derived))
            hi = rng[1] if rng else (inp.max if inp.max is not None else n.weight)
            out[inp.id] = min(hi, inp.max) if inp.max is not None else hi
    return out


def write_prefill_template(t: Template, path: Path, year: int) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    base = {"font_name": FONT, "font_size": 10, "border": 1, "valign": "vcenter"}
    head = wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "text_wrap": True, "align": "center"})
    title = wb.add_format({"font_name": FONT, "font_size": 14, "bold": True})
    note = wb.add_format({"font_name": FONT, "font_size": 9, "text_wrap": True, "valign": "top"})
    cell = {k: wb.add_format({**base, "bg_color": INPUT_FILL, **extra}) for k, extra in
            (("text", {}), ("percent", {"num_format": "0.00%"}), ("money", {"num_format": "#,##0.00"}),
             ("integer", {"num_format": "0"}), ("number", {"num_format": "0.00"}))}
    grey = {"italic": True, "font_color": "#7F7F7F"}
    example = wb.add_format({**base, **grey})
    example_cell = {k: wb.add_format({**base, **grey, **extra}) for k, extra in
                    (("text", {}), ("percent", {"num_format": "0.00%"}), ("money", {"num_format": "#,##0.00"}),
                     ("integer", {"num_format": "0"}), ("number", {"num_format": "0.00"}))}
    examples = example_values(t)
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
        ex = examples.get(inp.id)
        if ex is not None:
            (ws.write_string if isinstance(ex, str) else ws.write_number)(3, c, ex, example_cell[kind])
        ws.set_column(c, c, None, cell[kind])
        opts = {"ignore_blank": True, "error_title": "输入有误", "input_title": inp.label[:32]}
        if inp.choices:
            for r, ch in enumerate(inp.choices):
                lists.write_string(r, nlist, ch)
            src = f"=选项!${chr(65 + nlist % 26)}$1:${chr(65 + nlist % 26)}${len(inp.choices)}"
            nlist += 1
            opts.update(validate="list", source=src, error_message=f"请从下拉列表中选择：{'、'.join(inp.choices)}"[:255])
        elif inp.numeric:
            lo = inp.min if inp.min is not None else -BOUND
            hi = inp.max if inp.max is not None else BOUND
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

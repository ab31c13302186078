"""What prints is what an office files: the 自评表, a project workbook and the 汇总表 rendered to PDF by
LibreOffice (one start for the batch) and read back with poppler (pdftotext, pdfinfo).

Checked: A4 landscape; the 自评表 breaks only where cells.table_breaks plans (between 一级 groups, a
group cut in two repeats its name) and every page is one page wide (its last column's header on each);
the signature block on the last page; the project footnote whole; the 得分 matrix of 50 departments
in a few pages with 部门 and 总分 on each; the 问题 sheet in words, not formulas or Python tokens; and a
row too low to read on paper is caught.
"""

import io
import os
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml
from projects.helpers import NATIONAL, open_project, road_project

from workbook_builder.cells import SIGNATURE_ROWS, all_cells, sign_rows, table_breaks
from workbook_builder.layout import SHEET_TABLE, build_layout
from workbook_builder.libreoffice import convert, soffice
from workbook_builder.loader import load_template, template_paths
from workbook_builder.pages import continued
from workbook_builder.projects.cells import parts_for
from workbook_builder.projects.render import build_project_workbook
from workbook_builder.reader.batch import frames
from workbook_builder.reader.report import write_frames
from workbook_builder.reader.validate import validate_file
from workbook_builder.render import build_workbook

pytestmark = pytest.mark.skipif(soffice() is None and not os.environ.get("CI"), reason="LibreOffice not installed")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MIN_ROW_POINTS = 8.0  # below this a row's text cannot be read on paper
DEPARTMENTS = 50


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _text(pdf: Path, page: int, raw: bool = True) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-raw" if raw else "-layout", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out) if raw else out


def _right_edges(pdf: Path, page: int) -> tuple[float, float]:
    """(page width, the largest right edge of any word) in points."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([0-9.]+)"', xml).group(1))
    edges = [float(x) for x in re.findall(r'xMax="([0-9.]+)"', xml)]
    return width, max(edges, default=0.0)


def _short_rows(path: Path, sheet: str) -> list[int]:
    """Rows of ``sheet`` holding a value whose height is below MIN_ROW_POINTS (1-based)."""
    ws = openpyxl.load_workbook(path)[sheet]
    used = {c.row for row in ws.iter_rows() for c in row if c.value not in (None, "")}
    return sorted(r for r in used if ws.row_dimensions[r].height is not None and ws.row_dimensions[r].height < MIN_ROW_POINTS)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every workbook of the batch and its PDF, from one LibreOffice start."""
    tmp = tmp_path_factory.mktemp("print")
    files: dict[str, Path] = {}
    for p in template_paths():
        t = load_template(p)
        inputs = EXAMPLES / f"{t.id}.inputs.yaml"
        d = yaml.safe_load(inputs.read_text(encoding="utf-8")) if inputs.exists() else {"department": "示例单位",
                                                                                         "year": 2024, "values": {}}
        f = tmp / f"{t.id}.xlsx"
        f.write_bytes(build_workbook(t, d["department"], d["year"], d["values"]))
        files[t.id] = f
    # a returned 自评表 with one leaf row set to 1 pt high
    t = load_template("zizhou_2024")
    lay = build_layout(t)
    low = tmp / "low-row.xlsx"
    wb = openpyxl.load_workbook(files["zizhou_2024"])
    leaf = t.indicators[2].children[0]
    while leaf.children:
        leaf = leaf.children[0]
    wb[SHEET_TABLE].row_dimensions[lay.leaf_rows[leaf.id].row + 1].height = 1
    wb.save(low)
    files["low-row"] = low
    (p1, v1), (p2, v2) = road_project(), open_project()
    v1 = {**v1, "fund_total_initial": 9.1168}  # 万元 to the 元: shown as typed
    files["project"] = tmp / "project.xlsx"
    files["project"].write_bytes(build_project_workbook(NATIONAL, "庆城县交通运输局", 2024, [p1, p2], [v1, v2]))
    # a county's 50 returns consolidated (one tampered) into the 汇总表
    d = yaml.safe_load((EXAMPLES / "zizhou_2024.inputs.yaml").read_text(encoding="utf-8"))
    returns = tmp / "returns"
    returns.mkdir()
    for i in range(DEPARTMENTS):
        (returns / f"单位{i:02d}-2024.xlsx").write_bytes(build_workbook(t, f"单位{i:02d}", 2024, d["values"]))
    wb = openpyxl.load_workbook(returns / "单位00-2024.xlsx")
    tr, tc = lay.total_cell
    wb[SHEET_TABLE].cell(tr + 1, tc + 1).value = 99
    wb.save(returns / "单位00-2024.xlsx")
    files["report"] = tmp / "汇总表.xlsx"
    write_frames(frames([validate_file(f) for f in sorted(returns.iterdir())], root=returns), files["report"])
    pdfs = convert(list(files.values()), tmp / "pdf", to="pdf")
    return {k: (files[k], pdf) for k, pdf in zip(files, pdfs)}


TEMPLATES = [p.stem for p in template_paths()]


@pytest.mark.parametrize("tid", TEMPLATES)
def test_self_evaluation_pages_break_between_groups_one_page_wide(rendered, tid):
    xlsx, pdf = rendered[tid]
    t = load_template(tid)
    lay = build_layout(t)
    d = yaml.safe_load((EXAMPLES / f"{tid}.inputs.yaml").read_text(encoding="utf-8")) if (
        EXAMPLES / f"{tid}.inputs.yaml").exists() else {"department": "示例单位", "year": 2024}
    specs = [s for s in all_cells(t, lay, d["department"], d["year"]) if s.sheet == SHEET_TABLE]
    breaks = table_breaks(t, lay, specs)
    n = _pages(pdf)
    assert "填报说明" in _text(pdf, 1) and "基础数据" in _text(pdf, 2)
    table = list(range(3, n + 1))
    # the application cut nowhere else: one page per planned part, each a full page width
    assert len(table) == len(breaks) + 1, (tid, len(table), breaks)
    last_header = lay.columns[-1].header
    for k, page in enumerate(table):
        text = _text(pdf, page)
        assert last_header in text, (tid, page)  # every column on every page
        width, edge = _right_edges(pdf, page)
        assert round(width) == 842 and edge <= width - 10, (tid, page, edge)  # A4 landscape, nothing past the edge
        if k == 0:
            continue
        row = breaks[k - 1]
        top = next(g for g in t.indicators if lay.node_span[g.id][0] <= row <= lay.node_span[g.id][1])
        name = top.name if lay.node_span[top.id][0] == row else continued(top.name)
        assert re.sub(r"\s+", "", name) in text, (tid, page, name)  # the page's first 一级 row names its group
    last = _text(pdf, table[-1])
    for words in ("单位负责人", "填报人", "联系电话", "填报日期", "盖章", "总分"):
        assert words in last, (tid, words)
    assert _short_rows(xlsx, SHEET_TABLE) == []
    assert sign_rows(lay)[1] == max(s.row for s in specs)  # the signature block is the sheet's end
    assert SIGNATURE_ROWS


def test_a_one_point_row_is_caught_on_paper(rendered):
    """A returned row set to 1 pt prints as a line (its text clipped away): the row check finds it,
    and finds nothing in the workbook as built."""
    t = load_template("zizhou_2024")
    lay = build_layout(t)
    leaf = t.indicators[2].children[0]
    while leaf.children:
        leaf = leaf.children[0]
    assert _short_rows(rendered["low-row"][0], SHEET_TABLE) == [lay.leaf_rows[leaf.id].row + 1]
    assert _short_rows(rendered["zizhou_2024"][0], SHEET_TABLE) == []
    assert _pages(rendered["low-row"][1]) <= _pages(rendered["zizhou_2024"][1])


def test_project_sheets_print_their_footnote_whole(rendered):
    xlsx, pdf = rendered["project"]
    parts = parts_for(NATIONAL, [road_project()[0], open_project()[0]])
    wb = openpyxl.load_workbook(xlsx)
    text = "".join(_text(pdf, p) for p in range(1, _pages(pdf) + 1))
    for part in parts:
        ws = wb[part.sheet]
        note_row = next(r for r in range(ws.max_row, 0, -1) if str(ws.cell(r, 1).value or "").startswith("说明："))
        note = ws.cell(note_row, 1).value
        assert re.sub(r"\s+", "", note) in text  # every word of it on paper
        # Excel and WPS never grow a merged row: its height holds every wrapped line
        width = sum(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width or 8 for c in range(1, 12))
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in note)
        assert (ws.row_dimensions[note_row].height or 15) >= 11 * -(-units // int(width)), part.sheet
        assert _short_rows(xlsx, part.sheet) == []
        assert str(ws.cell(note_row + 1, 1).value).startswith("单位负责人")  # the signature block follows
    assert "单位盖章" in _text(pdf, _pages(pdf))
    assert "9.1168" in text and "100.00" in text  # money as typed, two decimals at least
    for page in range(1, _pages(pdf) + 1):
        width, edge = _right_edges(pdf, page)
        assert edge <= width - 10, page  # nothing past the right edge
        if "年度总体目标" in _text(pdf, page):
            assert round(width) == 842, page  # a project sheet: A4 landscape


def test_consolidated_scores_print_as_a_matrix_in_a_few_pages(rendered):
    xlsx, pdf = rendered["report"]
    pages = {p: _text(pdf, p) for p in range(1, _pages(pdf) + 1)}
    scores = [p for p, tx in pages.items() if "汇总表·得分" in tx or ("部门" in tx and "总分" in tx and "代码" not in tx
                                                                     and "重算总分" not in tx)]
    t = load_template("zizhou_2024")
    assert 1 <= len(scores) <= 4, scores  # 50 departments × 47 indicators
    for p in scores:
        tx = pages[p]
        assert "单位00" in tx and "单位49" in tx, p  # every department on every page of the matrix
        assert any(g.name in tx for g in t.indicators), p
        width, edge = _right_edges(pdf, p)
        assert round(width) == 842 and edge <= width - 10
    problems = openpyxl.load_workbook(xlsx)["问题"]
    header = [c.value for c in problems[2]]
    assert header[-1] == "代码" and "问题" in header and header.index("问题") < header.index("说明")
    rows = list(problems.iter_rows(min_row=3, values_only=True))
    assert rows and all(r[header.index("问题")] and not re.search(r"[A-Za-z]", r[header.index("问题")]) for r in rows)
    shown = [str(r[header.index(k)]) for r in rows for k in ("应为", "实为") if r[header.index(k)] is not None]
    assert not [v for v in shown if v.startswith("=") or v in ("None", "nan", "True", "False") or re.search(r"\d\.\d{5,}", v)]
    text = "".join(tx for p, tx in pages.items() if p not in scores)
    assert "=IF(" not in text and "None" not in text


def test_score_sheet_settings_print_landscape_with_repeated_names(rendered):
    xlsx, _ = rendered["report"]
    data = io.BytesIO(xlsx.read_bytes())
    import zipfile
    z = zipfile.ZipFile(data)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb[next(n for n in wb.sheetnames if n.startswith("得分"))]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_cols and ws.print_title_rows
    assert "colBreaks" in z.read("xl/worksheets/sheet2.xml").decode() or ws.max_column < 20

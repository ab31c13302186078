"""Random project tables for the project-form tests (hypothesis strategies) and a filled example."""

from __future__ import annotations

from hypothesis import strategies as st

from workbook_builder.projects.form import ProjectForm, project_forms
from workbook_builder.projects.project import FUND_COLS, FUND_ROWS, Project, Row, fund_id
from workbook_builder.rules.open import NATURES

FORMS = project_forms()
NATIONAL = FORMS["national_project_2020"]

money = st.one_of(st.none(), st.just(0.0), st.floats(0, 5000, allow_nan=False).map(lambda x: round(x, 4)))
number = st.floats(0, 500, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def partition(draw, total: float, k: int) -> list[float]:
    """k positive weights in steps of 0.5 adding up to ``total``."""
    units = int(total * 2)
    cuts = sorted(draw(st.lists(st.integers(1, units - 1), min_size=k - 1, max_size=k - 1, unique=True))) if k > 1 else []
    edges = [0, *cuts, units]
    return [(b - a) / 2 for a, b in zip(edges, edges[1:])]


@st.composite
def prefilled_rows(draw, form: ProjectForm) -> list[Row]:
    rows = []
    for a in form.allotments:
        k = draw(st.integers(1, 3))
        for i, w in enumerate(draw(partition(a.weight, k))):
            nature = draw(st.sampled_from(NATURES))
            g = draw(st.sampled_from(a.groups))
            name = f"{a.name[:2]}指标{i + 1}"
            if nature == "定性":
                rows.append(Row(a.name, g, name, nature, w, target_text="明显改善"))
            else:
                pct = draw(st.booleans())
                t = draw(st.floats(0.01, 1.5 if pct else 300).map(lambda x: round(x, 3)))
                rows.append(Row(a.name, g, name, nature, w, target=t, unit="%" if pct else "个"))
    rows.sort(key=lambda r: ([a.name for a in form.allotments].index(r.level1),
                             form.allotment(r.level1).groups.index(r.level2)))
    return rows


def fund_values(draw, complete: bool = False) -> dict:
    out = {}
    for r, _ in FUND_ROWS:
        for c, _ in FUND_COLS:
            v = draw(st.floats(0.01, 5000).map(lambda x: round(x, 4)) if complete and r == "total" else money)
            if v is not None:
                out[fund_id(r, c)] = v
    return out


@st.composite
def fixed_values(draw, form: ProjectForm, rows: list[Row]) -> dict:
    complete = draw(st.booleans())
    out = fund_values(draw, complete)
    for k, r in enumerate(rows, start=1):
        if r.nature == "定性":
            level = draw(st.sampled_from(form.level_names) if complete else st.one_of(st.none(), st.sampled_from(form.level_names)))
            if level:
                out[f"r{k}.actual"] = level
                s = draw(st.one_of(st.none(), st.floats(0, r.weight).map(lambda x: round(x, 2))))
                if s is not None:
                    out[f"r{k}.score"] = s
        else:
            a = draw(number if complete else st.one_of(st.none(), number, st.just("未完成")))
            if a is not None:
                out[f"r{k}.actual"] = a / 100 if isinstance(a, float) and r.unit == "%" else a
    return out


@st.composite
def open_values(draw, form: ProjectForm) -> dict:
    """Open rows: some left blank, some filled completely (weights that may or may not add up), some half."""
    complete = draw(st.booleans())
    out = fund_values(draw, complete)
    for i, a in enumerate(form.allotments, start=1):
        slots = [(g_i, j) for g_i, _ in enumerate(a.groups, start=1) for j in range(1, form.open_rows + 1)]
        used = draw(st.lists(st.sampled_from(slots), min_size=1 if complete else 0, max_size=3, unique=True))
        exact = complete or draw(st.booleans())
        weights = draw(partition(a.weight, len(used))) if used and exact else \
            [draw(st.sampled_from([5.0, 10.0, 12.5])) for _ in used]
        for (g_i, j), w in zip(used, weights):
            p = f"o{i}_{g_i}_{j}."
            nature = draw(st.sampled_from(NATURES))
            out[p + "name"] = f"指标{g_i}{j}"
            out[p + "nature"] = nature
            out[p + "weight"] = w
            if nature == "定性":
                out[p + "target"] = "明显改善"
                out[p + "actual"] = draw(st.sampled_from(form.level_names))
                s = draw(st.one_of(st.none(), st.floats(0, w).map(lambda x: round(x, 2))))
                if s is not None:
                    out[p + "score"] = s
            else:
                out[p + "target"] = draw(st.floats(0.5, 200).map(lambda x: round(x, 2)))
                out[p + "actual"] = draw(number)
            if not complete and draw(st.integers(0, 3)) == 0:  # a row begun but not finished
                del out[p + draw(st.sampled_from(["name", "target", "actual", "weight"]))]
    return out


@st.composite
def project_case(draw, form: ProjectForm, i: int) -> tuple[Project, dict]:
    if draw(st.booleans()):
        rows = draw(prefilled_rows(form))
        return Project(f"项目{i}", goal="完成年度建设任务", rows=rows), draw(fixed_values(form, rows))
    return Project(f"项目{i}"), draw(open_values(form))


@st.composite
def workbook_case(draw, form: ProjectForm) -> tuple[list[Project], list[dict]]:
    n = draw(st.integers(1, 3))
    cases = [draw(project_case(form, i)) for i in range(1, n + 1)]
    return [c[0] for c in cases], [c[1] for c in cases]


def road_project() -> tuple[Project, dict]:
    """A prefilled project, filled completely (funds, actuals, reasons, goal): the reader finds nothing."""
    p = Project("农村道路维修", owner="县交通运输局", unit="县公路段", goal="完成 12 公里农村道路维修",
                rows=[Row("产出指标", "数量指标", "维修道路长度", "≥", 30, target=12, unit="公里"),
                      Row("产出指标", "质量指标", "验收合格率", "≥", 20, target=1.0, unit="%"),
                      Row("效益指标", "社会效益指标", "群众出行条件", "定性", 20, target_text="明显改善"),
                      Row("效益指标", "可持续影响指标", "道路养护期", "≥", 10, target=3, unit="年"),
                      Row("满意度指标", "服务对象满意度指标", "群众满意度", "≥", 10, target=0.9, unit="%")])
    v = {fund_id("total", "initial"): 100.0, fund_id("total", "year"): 100.0, fund_id("total", "executed"): 95.0,
         "goal_actual": "完成 12 公里维修，验收合格", "r1.actual": 12.0, "r2.actual": 0.98, "r3.actual": "部分达成",
         "r3.score": 15.0, "r4.actual": 3.0, "r5.actual": 0.95,
         "budget.reason": "部分工程款待结算", "r2.reason": "两段返工后合格", "r3.reason": "部分路段仍待硬化"}
    return p, v


def open_project() -> tuple[Project, dict]:
    """A project without prefilled indicators, its open rows filled by the department, completely."""
    p = Project("农村饮水安全巩固提升", owner="县水利局", unit="县水利局")
    v = {fund_id("total", "year"): 50.0, fund_id("total", "executed"): 50.0, fund_id("fiscal", "year"): 50.0,
         fund_id("fiscal", "executed"): 50.0, "goal": "巩固提升 3 处农村供水工程", "goal_actual": "3 处工程全部完工",
         "o1_1_1.name": "改造供水工程", "o1_1_1.nature": "≥", "o1_1_1.target": 3.0, "o1_1_1.actual": 3.0,
         "o1_1_1.weight": 30.0, "o1_3_1.name": "完工时间（月）", "o1_3_1.nature": "≤", "o1_3_1.target": 10.0,
         "o1_3_1.actual": 10.0, "o1_3_1.weight": 20.0,
         "o2_2_1.name": "农村供水保障水平", "o2_2_1.nature": "定性", "o2_2_1.target": "稳步提升",
         "o2_2_1.actual": "达成年度指标", "o2_2_1.weight": 30.0,
         "o3_1_1.name": "受益群众满意度", "o3_1_1.nature": "≥", "o3_1_1.target": 0.9, "o3_1_1.actual": 0.96,
         "o3_1_1.weight": 10.0}
    return p, v


def tie_project() -> tuple[Project, dict]:
    """A project whose 验收数 scores 1.07/2 × 5 = 2.675 unrounded: an exact half-cent."""
    p = Project("半分测试", rows=[Row("产出指标", "数量指标", "完成数", "≥", 45, target=100, unit="个"),
                                 Row("产出指标", "质量指标", "验收数", "≥", 5, target=2, unit="个"),
                                 Row("效益指标", "社会效益指标", "受益人数", "≥", 30, target=10, unit="人"),
                                 Row("满意度指标", "服务对象满意度指标", "满意度", "≥", 10, target=0.9, unit="%")])
    v = {fund_id("total", "year"): 10.0, fund_id("total", "executed"): 10.0, "r1.actual": 100.0,
         "r2.actual": 1.07, "r3.actual": 10.0, "r4.actual": 0.95, "r2.reason": "部分验收延至次年",
         "goal": "完成 100 个点位建设", "goal_actual": "全部完成，部分验收延至次年"}
    return p, v


def every_nature_rows(form: ProjectForm) -> list[Row]:
    """Prefilled rows: under each 一级, one row of each 指标性质 (≥ ≤ = 定性), a percent and a count."""
    rows = []
    for a in form.allotments:
        for i, nature in enumerate(NATURES):
            name, g, w = f"{a.name[:2]}{nature}指标", a.groups[i % len(a.groups)], a.weight / len(NATURES)
            if nature == "定性":
                rows.append(Row(a.name, g, name, nature, w, target_text="明显改善"))
            else:
                rows.append(Row(a.name, g, name, nature, w, target=0.9 if i % 2 else 40.0, unit="%" if i % 2 else "个"))
    rows.sort(key=lambda r: form.allotment(r.level1).groups.index(r.level2))
    rows.sort(key=lambda r: [a.name for a in form.allotments].index(r.level1))
    return rows

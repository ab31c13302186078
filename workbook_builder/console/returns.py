"""收表: returned files stored (pending), their reports recorded with findings, and the round's department table.

A return is stored first and validated afterwards (``jobs.ValidationLoop``): nothing uploaded is lost if a
validation is interrupted. Findings the console adds to the reader's (a file for another department, year
or template than the round's) have their own codes below, with Chinese messages.
"""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Any

from ..layout import workbook_name
from ..reader.findings import FileReport, Finding
from .storage import Store, now

#: the console's own findings: code -> (severity, Chinese message template)
CONSOLE_CODES: dict[str, tuple[str, str]] = {
    "department-not-listed": ("error", "文件中的部门“{found}”不在本轮名单中"),
    "department-differs": ("error", "文件中的部门“{found}”与本链接的部门“{expected}”不同，请交回本部门的工作簿"),
    "year-differs": ("error", "文件的年度 {found} 与本轮的年度 {expected} 不同"),
    "template-differs": ("error", "文件所用的指标体系（{found}）与本轮下发的（{expected}）不同"),
}

RESULT = ("通过", "未通过", "无法读取")


def fold_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(name or "")).split())


def add_return(store: Store, round_id: int, name: str, data: bytes, via: str, who: str,
               department_id: int | None = None) -> int:
    """Store the file (by content hash) and a pending return; the validation loop picks it up."""
    sha = store.put(data)
    with store.tx() as tx:
        rid = tx.insert("returns", round_id=round_id, department_id=department_id, sha256=sha, file_name=name,
                        via=via, status="pending", submitted=0 if via == "self" else 1, superseded=0,
                        uploaded_at=now())
        tx.insert("audit", at=now(), who=who, action="上传交回文件",
                  detail=json.dumps({"文件": name, "摘要": sha, "大小": len(data), "轮次": round_id}, ensure_ascii=False))
    return rid


def _plain(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return str(v)


def report_json(rep: FileReport) -> dict:
    return {"template": rep.template, "version": rep.version, "department": rep.department, "year": rep.year,
            "total": _plain(rep.total), "grade": rep.grade, "found_total": _plain(rep.found_total),
            "found_grade": _plain(rep.found_grade), "scores": _plain(rep.scores), "projects": _plain(rep.projects),
            "findings": [{"code": f.code, "sheet": f.sheet, "cell": f.cell, "expected": _plain(f.expected),
                          "found": _plain(f.found), "detail": f.detail, "extra": _plain(f.extra)}
                         for f in rep.findings]}


def report_of(doc: dict, file_name: str) -> FileReport:
    """The reader's report again, from what was recorded (for 汇总表.xlsx)."""
    rep = FileReport(file=file_name, template=doc["template"], version=doc["version"],
                     department=doc["department"], year=doc["year"], total=doc["total"], grade=doc["grade"],
                     found_total=doc["found_total"], found_grade=doc["found_grade"], scores=doc["scores"],
                     projects=doc["projects"])
    rep.findings = [Finding(f["code"], f["sheet"], f["cell"], f["expected"], f["found"], f["detail"], f["extra"])
                    for f in doc["findings"]]
    return rep


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)[:200]


def record(store: Store, rid: int, rep: FileReport) -> None:
    """A report's result, its findings (the reader's and the console's) and the department it belongs to."""
    ret = store.row("SELECT * FROM returns WHERE id = ?", rid)
    if ret is None or ret["status"] != "pending":
        return
    rnd = store.row("SELECT * FROM rounds WHERE id = ?", ret["round_id"])
    tpl = store.row("SELECT * FROM templates WHERE id = ?", rnd["template_id"])
    depts = store.rows("SELECT id, name FROM departments WHERE round_id = ?", ret["round_id"])
    by_name = {fold_name(d["name"]): d for d in depts}
    by_file = {workbook_name(d["name"], rnd["year"]).lower(): d for d in depts}
    rows = [(f.severity, f.code, f.sheet, f.cell, f.message, _text(f.expected), _text(f.found)) for f in rep.findings]

    def extra(code: str, **kw) -> None:
        sev, msg = CONSOLE_CODES[code]
        rows.append((sev, code, "", "", msg.format(**kw), _text(kw.get("expected")), _text(kw.get("found"))))

    dept_id = ret["department_id"]
    if dept_id is not None:
        mine = next((d for d in depts if d["id"] == dept_id), None)
        if rep.department and mine and fold_name(rep.department) != fold_name(mine["name"]):
            extra("department-differs", found=rep.department, expected=mine["name"])
    else:
        got = by_name.get(fold_name(rep.department)) if rep.department else None
        got = got or by_file.get(ret["file_name"].lower())
        dept_id = got["id"] if got else None
        if rep.department and got is None:
            extra("department-not-listed", found=rep.department)
    if rep.year and str(rep.year) != str(rnd["year"]):
        extra("year-differs", found=rep.year, expected=rnd["year"])
    if rep.template and not rep.projects and (rep.template, str(rep.version)) != (tpl["code"], tpl["version"]):
        extra("template-differs", found=f"{rep.template} 版本 {rep.version}", expected=f"{tpl['code']} 版本 {tpl['version']}")
    bad = any(r[0] == "error" for r in rows)
    result = "无法读取" if rep.unreadable else ("未通过" if bad else "通过")
    with store.tx() as tx:
        if tx.row("SELECT status FROM returns WHERE id = ?", rid)["status"] != "pending":
            return
        tx.execute("DELETE FROM findings WHERE return_id = ?", rid)
        for r in rows:
            tx.execute("INSERT INTO findings (return_id, severity, code, sheet, cell, message, expected, found) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rid, *r)
        tx.execute("UPDATE returns SET status = 'done', result = ?, total = ?, grade = ?, report = ?, "
                   "department_id = ?, checked_at = ?, kind = ? WHERE id = ?", result,
                   rep.total if isinstance(rep.total, (int, float)) and math.isfinite(rep.total) else None,
                   rep.grade or "", json.dumps(report_json(rep), ensure_ascii=False), dept_id, now(),
                   "项目" if rep.projects else "自评表", rid)


def table(store: Store, round_id: int) -> tuple[list[dict], list[dict]]:
    """One line per department (交回 state, result, total, grade, current return; its latest project workbook)
    and the files matched to none. A project workbook is not the department's 自评表: it is listed beside it."""
    depts = store.rows("SELECT * FROM departments WHERE round_id = ? ORDER BY row_no, id", round_id)
    rets = store.rows("SELECT id, department_id, file_name, status, result, total, grade, superseded, submitted, "
                      "uploaded_at, via, kind FROM returns WHERE round_id = ? ORDER BY id", round_id)
    counted = [r for r in rets if r["submitted"] and not r["superseded"] and r["kind"] != "项目"]
    projects = [r for r in rets if r["submitted"] and not r["superseded"] and r["kind"] == "项目"]
    lines = []
    for d in depts:
        mine = [r for r in counted if r["department_id"] == d["id"]]
        theirs = [r for r in projects if r["department_id"] == d["id"]]
        history = [r for r in rets if r["department_id"] == d["id"] and r["submitted"]]
        cur = mine[-1] if mine else None
        state = "未交回" if not mine else ("重复交回" if len(mine) > 1 else "已交回")
        lines.append({"department": d, "state": state, "current": cur, "count": len(mine),
                      "project": theirs[-1] if theirs else None,
                      "history": len(history), "pending": any(r["status"] == "pending" for r in mine)})
    unmatched = [r for r in counted + projects if r["department_id"] is None]
    return lines, unmatched


def replace(store: Store, round_id: int, department_id: int, name: str, data: bytes, who: str) -> int:
    """A corrected file for a department: earlier returns stay in the history, marked as replaced."""
    with store.tx() as tx:
        tx.execute("UPDATE returns SET superseded = 1 WHERE round_id = ? AND department_id = ? AND submitted = 1",
                   round_id, department_id)
    return add_return(store, round_id, name, data, "bureau", who, department_id=department_id)


def findings_of(store: Store, rid: int) -> list[dict]:
    order = "CASE severity WHEN 'error' THEN 0 ELSE 1 END, id"
    return store.rows(f"SELECT * FROM findings WHERE return_id = ? ORDER BY {order}", rid)

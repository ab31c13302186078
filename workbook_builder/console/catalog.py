"""Template choice for the console: shipped templates, the bureau's uploaded 指标体系 versions, and their check.

An upload is checked as ``templates check`` checks it (the authoring reader, then the template checker):
each 指标体系 row gets its reading or its problems. A version with errors is kept for the record but cannot
be used for a round; a new upload with the 编号 of an earlier usable version must raise the 版本.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..checker import check_template, errors
from ..loader import (
    TemplateError,
    is_shipped,
    load_authoring,
    load_template,
    template_paths,
)
from .storage import Store, now

_ROW = re.compile(r"第(\d+)行")


@dataclass
class Checked:
    """What the check says about one 指标体系 workbook."""

    ok: bool
    code: str = ""
    version: str = ""
    title: str = ""
    #: row -> {"name", "reading", "problems": [...]} (Excel rows of the 指标体系 sheet)
    rows: dict[int, dict] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)  # problems with no row
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> str:
        return json.dumps({"ok": self.ok, "code": self.code, "version": self.version, "title": self.title,
                           "rows": {str(k): v for k, v in sorted(self.rows.items())}, "general": self.general,
                           "warnings": self.warnings}, ensure_ascii=False)


def _row(rows: dict, n: int, name: str = "") -> dict:
    r = rows.setdefault(n, {"name": name, "reading": "", "problems": []})
    if name and not r["name"]:
        r["name"] = name
    return r


def check_workbook(path: Path) -> Checked:
    """The check of an authoring workbook, row by row (never raises for a bad workbook)."""
    from ..authoring.read import AuthoringError, read_workbook
    from ..rules import rule_for
    out = Checked(ok=False)
    try:
        t, got = load_authoring(path)
    except TemplateError as e:
        try:
            problems, readings = [], read_workbook(path).readings
            for msg, where in e.errors:
                m = _ROW.search(where or "")
                if m and "指标体系" in where:
                    _row(out.rows, int(m.group(1)))["problems"].append(msg)
                else:
                    out.general.append(f"{where}：{msg}" if where else msg)
        except AuthoringError as ae:
            problems, readings = ae.problems, ae.readings
        except Exception:  # noqa: BLE001 - an unreadable upload is a problem of the file, shown in Chinese
            out.general.append("无法读取该工作簿，请确认它是指标体系工作簿（.xlsx），在 Excel 或 WPS 中另存后重试")
            return out
        for r in readings:
            _row(out.rows, r.row, r.name)["reading"] = r.reading
        for p in problems:
            text = f"{p.message}{'；请' + p.fix if p.fix else ''}"
            if p.row and p.sheet == "指标体系":
                target = _row(out.rows, p.row)["problems"]
            else:
                text = f"[{p.where}] {text}" if p.where else text
                target = out.general
            (target if p.severity == "error" else out.warnings).append(text)
        return out
    except Exception:  # noqa: BLE001
        out.general.append("无法读取该工作簿，请确认它是指标体系工作簿（.xlsx），在 Excel 或 WPS 中另存后重试")
        return out
    from_text = {r.row for r in got.readings if r.from_text}
    for leaf in t.leaves():
        m = _ROW.search(leaf.path)
        if m:
            n = int(m.group(1))
            words = rule_for(leaf).describe(leaf)
            _row(out.rows, n, leaf.name)["reading"] = f"按评分标准识别为：{words}" if n in from_text else words
    for n in t.nodes():
        m = _ROW.search(n.path)
        if m:
            _row(out.rows, int(m.group(1)), n.name)
    for w in got.warnings:
        out.warnings.append(f"[{w.where}] {w.message}" if w.where else w.message)
    issues = check_template(t)
    for i in issues:
        m = _ROW.search(i.path)
        if i.severity == "error":
            (_row(out.rows, int(m.group(1)))["problems"] if m else out.general).append(i.message)
        else:
            out.warnings.append(i.message)
    out.ok = not errors(issues)
    out.code, out.version, out.title = t.id, t.version, t.title
    return out


def annotated(path: Path, checked: Checked, out: Path) -> None:
    """核对.xlsx: a copy of the bureau's workbook with each row's reading or problems in 解析结果."""
    from ..authoring.annotate import annotate
    readings = {n: r["reading"] for n, r in checked.rows.items() if r["reading"]}
    problems = {n: r["problems"] for n, r in checked.rows.items() if r["problems"]}
    annotate(path, out, readings, problems)


def _version_key(v: str):
    parts = re.findall(r"\d+", str(v))
    return tuple(int(p) for p in parts) if parts else (0,)


def version_problem(store: Store, code: str, version: str) -> str:
    """Why a new usable version may not be added ('' when it may): the 编号 is not a shipped template's, and
    the 版本 rises above every earlier usable version of that 编号."""
    for p in template_paths():
        if is_shipped(p) and p.stem == code:
            return (f"编号 {code} 是软件自带的指标体系的编号：本局的指标体系请在“基本信息”表中换一个编号"
                    f"（英文字母、数字和下划线，如 {code}_county）后重新上传")
    have = [r["version"] for r in store.rows("SELECT version FROM templates WHERE code = ? AND ok = 1", code)]
    if not have:
        return ""
    top = max(have, key=_version_key)
    if _version_key(version) <= _version_key(top):
        return (f"编号 {code} 已有版本 {top}，新上传的指标体系版本为 {version}：同一编号的新指标体系必须提高版本，"
                f"请在“基本信息”表中把“版本”改为高于 {top} 的值（如 {_bump(top)}）后重新上传")
    return ""


def _bump(v: str) -> str:
    nums = re.findall(r"\d+", v)
    if not nums:
        return "2"
    last = nums[-1]
    i = v.rfind(last)
    return v[:i] + str(int(last) + 1) + v[i + len(last):]


def shipped(store: Store) -> None:
    """Record each shipped template once (so that a round can name it by row id)."""
    for p in template_paths():
        if not is_shipped(p):
            continue
        try:
            t = load_template(p)
        except Exception:  # noqa: BLE001, S112 - a broken shipped template is simply not offered
            continue
        if store.row("SELECT id FROM templates WHERE source = 'shipped' AND code = ? AND version = ?",
                     t.id, t.version) is None:
            store.insert("templates", code=t.id, version=t.version, title=f"{t.region}·{t.title}", source="shipped",
                         ref=t.id, sha256=None, file_name=p.name, ok=1, report="{}", created_at=now())


def template_of(store: Store, tid: int):
    """(Template, file for the reader's search path) of a usable template row."""
    row = store.row("SELECT * FROM templates WHERE id = ?", tid)
    if row is None or not row["ok"]:
        raise LookupError
    if row["source"] == "shipped":
        return load_template(row["ref"]), ""
    path = store.as_file(row["sha256"], ".xlsx")
    return load_template(path), str(path)

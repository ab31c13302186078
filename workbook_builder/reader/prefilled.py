"""What the bureau prefilled is vouched for: the signed prefill of _meta, or the bureau's own prefill list.

A department can type over a prefilled input (a 全年预算数 lowered to the 执行数 raises the 预算执行率
score) and every check of the form still passes, because an input may hold any value in its range.
Only the bureau knows the figure: either it signed the workbook (the signature covers _meta's
``prefill``, the inputs it was built with), or ``validate --against 名单.xlsx`` reads the list it built
the workbooks from (prefill.py reads it as ``build --prefill`` does) and compares each listed figure.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..layout import cell
from ..model import Template
from .findings import FileReport


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, bool):
        want = "是" if want else "否"
    if isinstance(want, (int, float)) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return math.isclose(float(want), float(got), rel_tol=1e-12, abs_tol=1e-9)
    return isinstance(got, str) and str(want).strip() == got.strip()


def compare(t: Template, lay, want: dict[str, Any], got: dict[str, Any], rep: FileReport, source: str) -> None:
    """A ``prefill-changed`` finding at each input whose value is not the prefilled one."""
    from ..rules import all_inputs
    labels = {i.id: i for i in all_inputs(t)}
    for iid, w in want.items():
        if iid not in lay.input_cells or iid not in labels:
            continue
        g = got.get(iid)
        if not _same(w, g):
            from .describe import number
            inp = labels[iid]
            pct = inp.type == "percent"
            shown_w = number(w, pct) if isinstance(w, (int, float)) and not isinstance(w, bool) else w
            sheet, r, c = lay.input_cells[iid]
            rep.add("prefill-changed", sheet=sheet, cell=cell(r, c), expected=w, found=g,
                    detail=f"{inp.label}（{source}为 {shown_w}）")


def _scalar(v) -> bool:
    return isinstance(v, str) or (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))


def signed_prefill(meta: dict[str, str], rep: FileReport) -> dict[str, Any] | None:
    """The prefill _meta records (its signature already verified), or None with a finding."""
    text = meta.get("prefill", "")
    if not text:
        return {}
    try:
        d = json.loads(text)
    except (ValueError, RecursionError):
        d = None
    if not isinstance(d, dict) or not all(isinstance(k, str) and _scalar(v) for k, v in d.items()):
        rep.add("prefill-unverifiable", sheet="_meta", detail="prefill")
        return None
    return d

"""Charts as inline SVG made on the server (no script, no library): bars, a score matrix, a scatter.

Every label is escaped; the SVG carries a <title> per mark so that hovering shows the figure.
"""

from __future__ import annotations

from html import escape

FONT = "font-family=\"'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif\""
GRADE_COLOURS = ["#2e7d32", "#558b2f", "#f9a825", "#ef6c00", "#c62828", "#6d4c41"]


def bars(items: list[tuple[str, int]], title: str) -> str:
    """Vertical bars, one per (label, count)."""
    w, h, pad, top = 520, 260, 40, 30
    n = max(1, len(items))
    top_value = max([v for _, v in items] + [1])
    bw = (w - 2 * pad) / n
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" class="chart bars" {FONT}>',
           f'<title>{escape(title)}</title>',
           f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#888"/>']
    for i, (label, v) in enumerate(items):
        bh = (h - pad - top) * v / top_value
        x = pad + i * bw + bw * 0.15
        colour = GRADE_COLOURS[i % len(GRADE_COLOURS)]
        out.append(f'<rect x="{x:.1f}" y="{h - pad - bh:.1f}" width="{bw * 0.7:.1f}" height="{bh:.1f}" '
                   f'fill="{colour}"><title>{escape(label)}：{v} 个部门</title></rect>')
        out.append(f'<text x="{x + bw * 0.35:.1f}" y="{h - pad - bh - 6:.1f}" text-anchor="middle" '
                   f'font-size="14">{v}</text>')
        out.append(f'<text x="{x + bw * 0.35:.1f}" y="{h - pad + 18:.1f}" text-anchor="middle" '
                   f'font-size="13">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _heat(share: float | None) -> str:
    if share is None:
        return "#eeeeee"
    share = max(0.0, min(1.0, share))
    r = int(198 + (46 - 198) * share)
    g = int(40 + (125 - 40) * share)
    b = int(40 + (50 - 40) * share)
    return f"rgb({r},{g},{b})"


def matrix(rows: list[str], cols: list[str], values: list[list[float | None]], weights: list[float],
           title: str) -> str:
    """Departments × 一级指标: each cell's colour is the share of the 一级's 分值 obtained, its text the score."""
    cw, rh, left, top = 96, 26, 200, 56
    w = left + cw * max(1, len(cols)) + 10
    h = top + rh * max(1, len(rows)) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" class="chart" {FONT}>',
           f'<title>{escape(title)}</title>']
    for j, (c, wt) in enumerate(zip(cols, weights)):
        x = left + j * cw + cw / 2
        out.append(f'<text x="{x}" y="22" text-anchor="middle" font-size="13">{escape(c[:8])}</text>')
        out.append(f'<text x="{x}" y="42" text-anchor="middle" font-size="11" fill="#555">满分 {wt:g}</text>')
    for i, (r, vals) in enumerate(zip(rows, values)):
        y = top + i * rh
        out.append(f'<text x="{left - 8}" y="{y + rh * 0.68:.1f}" text-anchor="end" font-size="13">'
                   f'{escape(r[:14])}</text>')
        for j, (v, wt) in enumerate(zip(vals, weights)):
            share = None if v is None or not wt else v / wt
            x = left + j * cw
            shown = "" if v is None else f"{v:g}"
            out.append(f'<rect x="{x + 2}" y="{y + 2}" width="{cw - 4}" height="{rh - 4}" fill="{_heat(share)}">'
                       f'<title>{escape(r)}·{escape(cols[j])}：{shown or "无"}</title></rect>')
            out.append(f'<text x="{x + cw / 2}" y="{y + rh * 0.68:.1f}" text-anchor="middle" font-size="12" '
                       f'fill="{"#222" if share is None else "#fff"}">{shown}</text>')
    out.append("</svg>")
    return "".join(out)


def scatter(points: list[tuple[str, float, float, bool]], share: float, title: str) -> str:
    """预算执行率 (x, 0–100%) against 得分率 (y, 0–100%); the band of allowed divergence is shaded and
    departments outside it are drawn red and named."""
    w, h, pad = 560, 420, 56
    span = 100.0  # shown as percentages

    def px(v: float) -> float:
        return pad + (w - 2 * pad) * max(0.0, min(v, 1.2)) / 1.2

    def py(v: float) -> float:
        return h - pad - (h - 2 * pad) * max(0.0, min(v, 1.2)) / 1.2

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" class="chart scatter" {FONT}>',
           f'<title>{escape(title)}</title>']
    band = [(0, share), (1.2 - share, 1.2), (1.2, 1.2), (1.2, 1.2 - share), (share, 0), (0, 0)]
    out.append('<polygon points="' + " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in band) +
               '" fill="#e8f5e9" stroke="none"/>')
    out.append(f'<line x1="{px(0)}" y1="{py(0)}" x2="{px(1.2)}" y2="{py(1.2)}" stroke="#9e9e9e" stroke-dasharray="4 4"/>')
    for t in (0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2):
        out.append(f'<text x="{px(t):.1f}" y="{h - pad + 18}" text-anchor="middle" font-size="11">{t * span:g}%</text>')
        out.append(f'<text x="{pad - 6}" y="{py(t) + 4:.1f}" text-anchor="end" font-size="11">{t * span:g}%</text>')
    out.append(f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#555"/>')
    out.append(f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#555"/>')
    out.append(f'<text x="{w / 2}" y="{h - 14}" text-anchor="middle" font-size="13">预算执行率</text>')
    out.append(f'<text x="16" y="{h / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 {h / 2})">'
               f'得分率（总分÷满分）</text>')
    for k, (label, x, y, flagged) in enumerate(points):
        colour = "#c62828" if flagged else "#1565c0"
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="{6 if flagged else 4}" fill="{colour}">'
                   f'<title>{escape(label)}：执行率 {x * 100:.1f}%，得分率 {y * 100:.1f}%</title></circle>')
        if flagged:  # names alternate above and below their point, so that neighbours stay readable
            dy = -8 if k % 2 == 0 else 18
            out.append(f'<text x="{px(x):.1f}" y="{py(y) + dy:.1f}" font-size="12" fill="#c62828" '
                       f'text-anchor="middle">{escape(label[:10])}</text>')
    out.append("</svg>")
    return "".join(out)

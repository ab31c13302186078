"""Files for the console tests: 名单 (clean and messy), 指标体系 (good and broken), honest and tampered returns."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from reader.helpers import honest_values as reader_honest_values

from workbook_builder.loader import load_template
from workbook_builder.render import build_workbook

TID = "qingcheng_2024"
YEAR = 2024
DEPARTMENTS = ["庆城县自然资源局", "庆城县教育局", "庆城县卫生健康局", "庆城县水务局"]
HEAD = "部门名称,年度资金总额·全年预算数（万元）,年度资金总额·全年执行数（万元）\n"


def clean_list(departments=DEPARTMENTS) -> bytes:
    """A GBK CSV under a title row, 万元 headers: one line per department, execution rates from 60% to 100%."""
    import csv
    out = io.StringIO()
    out.write("2024年度部门整体支出绩效自评名单\n" + HEAD)
    w = csv.writer(out, lineterminator="\n")
    for i, d in enumerate(departments):
        w.writerow([d, 1000 + i * 10, f"{(1000 + i * 10) * (1 - 0.4 * i / max(1, len(departments) - 1)):.2f}"])
    return out.getvalue().encode("gbk")


def messy_list() -> bytes:
    """Problems the preview must show at their rows: a word for a number, 执行数 > 预算数, a duplicate."""
    return ("名单（初稿）\n" + HEAD +
            "庆城县自然资源局,1000,900\n"
            "庆城县教育局,一千,900\n"
            "庆城县卫生健康局,500,800\n"
            "庆城县自然资源局,1000,950\n").encode("gbk")


def honest_values(tid: str = TID) -> dict:
    """The seed example's values, every 扣分原因 and header field filled (reader.helpers)."""
    return reader_honest_values(tid)[1]


def honest_return(department: str, year: int = YEAR, tid: str = TID, sign_key: bytes | None = None,
                  template: Path | None = None) -> bytes:
    """A department's workbook filled in completely (the seed's figures), of ``template`` (a file) or ``tid``."""
    return build_workbook(load_template(template or tid), department, year, honest_values(tid), sign_key=sign_key)


def tampered_return(department: str, year: int = YEAR, sign_key: bytes | None = None,
                    template: Path | None = None) -> tuple[bytes, str]:
    """A return whose last score cell of 自评表 shows 99.5 where its formula gives less; and that cell."""
    data = honest_return(department, year, sign_key=sign_key, template=template)
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    where = ""
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":
                text = body.decode("utf-8")
                m = list(re.finditer(r'<c r="([A-Z]+\d+)"[^>]*><f>[^<]*</f><v>(\d+(?:\.\d+)?)</v>', text))[-1]
                ref = m.group(1)
                text = text[:m.start(2)] + "99.5" + text[m.end(2):]
                body = text.encode("utf-8")
                where = ref
            dst.writestr(item, body)
    return buf.getvalue(), where


def zip_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in files.items():
            z.writestr(n, b)
    return buf.getvalue()


def zip_bomb(megabytes: int = 130, name: str = "炸弹.xlsx") -> bytes:
    """A zip whose one member unpacks to ``megabytes`` MB of zeros (a thousandth of that packed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, z.open(name, "w", force_zip64=True) as f:
        block = b"\0" * (1 << 20)
        for _ in range(megabytes):
            f.write(block)
    return buf.getvalue()


def lying_zip() -> bytes:
    """A zip whose member declares 1 KB but unpacks to 5 MB (its headers rewritten)."""
    import struct
    body = b"\0" * (5 << 20)
    data = bytearray(zip_of({"小文件.xlsx": body}))
    size = struct.pack("<I", len(body))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        i = data.find(sig)
        off = i + (22 if sig == b"PK\x03\x04" else 24)
        assert data[off:off + 4] == size
        data[off:off + 4] = struct.pack("<I", 1024)
    return bytes(data)


CODE = "qingcheng_county"


def authoring(tid: str = TID, version: str | None = None, break_weight: bool = False, code: str | None = CODE) -> bytes:
    """The template as the bureau's 指标体系.xlsx, under the bureau's own 编号 ``code``; optionally with
    another 版本 or a wrong 分值 in one row."""
    import tempfile

    import openpyxl

    from workbook_builder.authoring.export import export
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.xlsx"
        export(load_template(tid), p)
        wb = openpyxl.load_workbook(p)
        for row in wb["基本信息"].iter_rows():
            if row[0].value == "版本" and version is not None:
                row[1].value = version
            if row[0].value == "编号" and code is not None:
                row[1].value = code
        if break_weight:
            ws = wb["指标体系"]
            head = next(r for r in range(1, 10) if any(c.value == "分值" for c in ws[r]))
            col = next(c.column for c in ws[head] if c.value == "分值")
            for r in range(head + 1, ws.max_row + 1):
                if isinstance(ws.cell(r, col).value, (int, float)) and ws.cell(r, col).value > 0:
                    last = r
            ws.cell(last, col).value = ws.cell(last, col).value + 3
        wb.save(p)
        return p.read_bytes()

"""Rebuild examples/*.xlsx: one workbook per seed, filled with that seed's figures.

Usage: python3 examples/build_examples.py [--png]   (--png also renders docs/<template>.png with LibreOffice)

tests/test_examples.py rebuilds each one in memory and fails when a shipped workbook differs from a
fresh build (run this script after any change to the workbook).
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's package, not an installed one

from workbook_builder.engine import compute
from workbook_builder.loader import load_template
from workbook_builder.render import build_workbook

HERE = Path(__file__).resolve().parent


def main() -> None:
    built = []
    for f in sorted(HERE.glob("*.inputs.yaml")):
        d = yaml.safe_load(f.read_text(encoding="utf-8"))
        t = load_template(d["template"])
        out = HERE / f"{d['department']}-{d['year']}.xlsx"
        out.write_bytes(build_workbook(t, d["department"], d["year"], d["values"]))
        res = compute(t, d["values"])
        print(f"{out.name}: 总分 {res.total:g}（种子表所列 {d['stated']['total']:g}），等级 {res.grade}")
        built.append((t, out))
    if "--png" in sys.argv:
        from workbook_builder.libreoffice import convert
        national = load_template("national_2020")
        with tempfile.TemporaryDirectory() as tmp:
            blank = Path(tmp) / "national_2020.xlsx"
            blank.write_bytes(build_workbook(national, "示例单位", 2024))
            files = [p for _, p in built] + [blank]
            pdfs = convert(files, Path(tmp), to="pdf")
            for (tid, pdf) in zip([t.id for t, _ in built] + ["national_2020"], pdfs):
                target = HERE.parent / "docs" / tid
                # the 自评表 is the third printed sheet: find its first page by its title text
                subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", "-f", str(_table_page(pdf)),
                                str(pdf), str(target)], check=True)
                print(f"docs/{tid}.png")


def _table_page(pdf: Path) -> int:
    n = int(next(l for l in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout.splitlines()
                 if l.startswith("Pages")).split()[-1])
    for p in range(1, n + 1):
        text = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True, text=True).stdout
        if "年度）" in text:
            return p
    return 1


if __name__ == "__main__":
    main()

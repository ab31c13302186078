"""All tamper tables as one: kind -> expected code (and sheet, cell where the finding has one).

The rows live next to the machinery that makes them (test_mutations: openpyxl edits; test_package:
the package and the zip; test_macro_variant: the .xlsm's own sheets and VBA project); each table's
own test runs its rows. Here they are one table: every kind named once, every code in the catalogue,
and every tampering an error unless it is one of the few kinds that only weaken a sheet's protection.
"""

from reader.test_macro_variant import MACRO
from reader.test_mutations import MUTATIONS
from reader.test_package import PACKAGE, ZIP
from workbook_builder.reader.findings import CODES

WEAKENING = {"protection-removed", "validation-removed", "sheet-added", "defined-name-changed"}


def table() -> list[tuple[str, str]]:
    rows = [(name, want[0]) for name, _, want in MUTATIONS]
    rows += [(name, code) for name, _, code in PACKAGE + ZIP]
    rows += [(name, want[0]) for name, _, want in MACRO]
    return rows


def test_one_table_of_kinds():
    rows = table()
    names = [n for n, _ in rows]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert all(code in CODES for _, code in rows)
    assert [(n, c) for n, c in rows if CODES[c][0] != "error" and c not in WEAKENING] == []
    assert len(rows) >= 60

"""The package as Excel reads it: every part resolved through the relationships and [Content_Types].xml.

Excel does not open ``xl/workbook.xml`` by its name: it follows ``_rels/.rels`` to the office
document, that part's relationships to its sheets, styles, shared strings and theme, and each part's
content type from ``[Content_Types].xml``. The reader does the same, through this one module, and
refuses a package whose graph could make two applications read two workbooks: a part no relationship
reaches (a decoy), a relationship to a kind of part a workbook of ours never has, the workbook or its
styles under another name than the conventional one, or a content type that does not fit its part.

The one API for finding parts (``open_workbook(path).package``, or ``book.package`` after read_book):

- ``part(kind)``: the workbook's ``"styles"``, ``"sharedStrings"``, ``"theme"``, the package's
  ``"workbook"``, ``"app"``, ``"core"`` (None when there is none);
- ``sheet_part(rid)``: the worksheet part of a ``<sheet r:id>`` (each ``Sheet.part`` is already that);
- ``related(part, kind)``: e.g. ``related(sheet.part, "drawing")``, ``"comments"``, ``"vmlDrawing"``;
- ``rel(part, rid)``: one relationship (a hyperlink's ``r:id``; ``.external`` and ``.target`` its URI);
- ``content_types[part]`` and ``read(part)``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from urllib.parse import unquote

from .container import Container, Refused, open_container, parse_xml

CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PKG_RNS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
MAX_RELATIONSHIPS = 2_000

_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_OFF = "application/vnd.openxmlformats-officedocument."
#: kind of part -> the content types it may have
CONTENT = {
    "workbook": (_SML + "sheet.main+xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    "worksheet": (_SML + "worksheet+xml",),
    "styles": (_SML + "styles+xml",),
    "sharedStrings": (_SML + "sharedStrings+xml",),
    "theme": (_OFF + "theme+xml",),
    "calcChain": (_SML + "calcChain+xml",),
    "vbaProject": ("application/vnd.ms-office.vbaProject",),
    "vbaProjectSignature": ("application/vnd.ms-office.vbaProjectSignature",),
    "core": ("application/vnd.openxmlformats-package.core-properties+xml",),
    "app": (_OFF + "extended-properties+xml",),
    "custom": (_OFF + "custom-properties+xml",),
    "thumbnail": ("image/",),
    "drawing": (_OFF + "drawing+xml",),
    "vmlDrawing": (_OFF + "vmlDrawing",),
    "comments": (_SML + "comments+xml",),
    "printerSettings": (_SML + "printerSettings",),
    "image": ("image/",),
    "chart": (_OFF + "drawingml.chart+xml",),
    "externalLink": (_SML + "externalLink+xml",),
}
#: relationship type (its last segment) allowed from each kind of part -> the kind of its target.
#: Anything else reachable is not a part of our workbooks (chartsheets, macro sheets, OLE objects,
#: ActiveX, tables, pivots, custom XML, …) and is refused.
ALLOWED = {
    "package": {"officeDocument": "workbook", "core-properties": "core", "extended-properties": "app",
                "custom-properties": "custom", "thumbnail": "thumbnail"},
    "workbook": {"worksheet": "worksheet", "styles": "styles", "sharedStrings": "sharedStrings", "theme": "theme",
                 "calcChain": "calcChain", "vbaProject": "vbaProject", "externalLink": "externalLink"},
    "worksheet": {"drawing": "drawing", "vmlDrawing": "vmlDrawing", "comments": "comments",
                  "printerSettings": "printerSettings"},
    "drawing": {"image": "image", "chart": "chart"},
    "vmlDrawing": {"image": "image"},
    "chart": {"image": "image"},
    "vbaProject": {"vbaProjectSignature": "vbaProjectSignature"},
}
#: relationships that may point outside the package (TargetMode="External")
EXTERNAL_OK = {"hyperlink"}
#: a workbook part has one of each of these at most
SINGLE = {"workbook", "styles", "sharedStrings", "theme", "calcChain", "vbaProject", "core", "app", "custom"}
#: where every application we know writes each part (lower case): the graph must agree
CONVENTIONAL = {"workbook": ("xl/workbook.xml",), "styles": ("xl/styles.xml",),
                "sharedStrings": ("xl/sharedstrings.xml",), "worksheet": ("xl/worksheets/",),
                "theme": ("xl/theme/",), "vbaProject": ("xl/vbaproject.bin",)}


@dataclass
class Rel:
    id: str
    type: str  # the last segment of the relationship type, e.g. "worksheet"
    target: str  # the part name it resolves to (as stored in the zip), or the external URI
    external: bool = False


@dataclass
class Package:
    """The parts of a workbook package as Excel resolves them."""

    container: Container
    content_types: dict[str, str] = field(default_factory=dict)  # part name -> content type
    kinds: dict[str, str] = field(default_factory=dict)  # reached part -> its kind
    rels: dict[str, list[Rel]] = field(default_factory=dict)  # source part ("" = package) -> relationships

    def part(self, kind: str) -> str | None:
        """The one part of ``kind`` the workbook (or, for properties, the package) relates to, or None."""
        source = "" if kind in ALLOWED["package"].values() else self.part("workbook") or ""
        for r in self.rels.get(source, []):
            if not r.external and self.kinds.get(r.target) == kind:
                return r.target
        return None

    def related(self, part: str, kind: str) -> list[str]:
        """The parts of ``kind`` that ``part`` relates to (e.g. a sheet's drawings)."""
        return [r.target for r in self.rels.get(part, []) if not r.external and self.kinds.get(r.target) == kind]

    def rel(self, part: str, rid: str) -> Rel | None:
        """Relationship ``rid`` of ``part`` (a sheet's r:id, a hyperlink's r:id)."""
        return next((r for r in self.rels.get(part, []) if r.id == rid), None)

    def sheet_part(self, rid: str) -> str:
        """The worksheet part of the workbook's relationship ``rid`` ('' if there is none)."""
        r = self.rel(self.part("workbook") or "", rid)
        return r.target if r is not None and not r.external and self.kinds.get(r.target) == "worksheet" else ""

    def has(self, part: str | None) -> bool:
        return bool(part) and part in self.kinds

    def read(self, part: str) -> bytes:
        return self.container.read(part)


def rels_name(part: str) -> str:
    """The relationships part of ``part`` ('' = the package): ``xl/_rels/workbook.xml.rels``."""
    if not part:
        return ROOT_RELS
    d, base = posixpath.split(part)
    return posixpath.join(d, "_rels", base + ".rels")


def _bad(detail: str) -> Refused:
    return Refused("package-invalid", detail)


def _xml(c: Container, name: str):
    return parse_xml(c, name)


def _content_types(c: Container, actual: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(extension -> type, part -> type) from [Content_Types].xml, refusing what Excel would call damaged."""
    if CONTENT_TYPES.lower() not in actual:
        raise _bad(f"缺少 {CONTENT_TYPES}")
    try:
        root = _xml(c, actual[CONTENT_TYPES.lower()])
    except Refused as e:
        raise _bad(f"{CONTENT_TYPES} 无法读取（{e.detail[:80]}）") from None
    if root.tag != f"{CT_NS}Types":
        raise _bad(f"{CONTENT_TYPES} 不是内容类型清单")
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for el in root:
        if el.tag == f"{CT_NS}Default":
            ext, ct = el.get("Extension"), el.get("ContentType")
            if not ext or not ct or ext.lower() in defaults:
                raise _bad(f"{CONTENT_TYPES} 的默认类型无效或重复（{(ext or '')[:20]}）")
            defaults[ext.lower()] = ct.strip()
        elif el.tag == f"{CT_NS}Override":
            name, ct = el.get("PartName") or "", el.get("ContentType")
            key = unquote(name).lstrip("/").lower()
            if not name.startswith("/") or not ct or key in overrides:
                raise _bad(f"{CONTENT_TYPES} 的部件类型无效或重复（{name[:40]}）")
            overrides[key] = ct.strip()
        else:
            raise _bad(f"{CONTENT_TYPES} 含有未知元素")
    return defaults, overrides


def _resolve(source: str, target: str) -> str | None:
    """The part name a relationship target names (lower case), None if it leaves the package."""
    t = unquote(target.strip())
    if not t or "\\" in t or "?" in t or "#" in t or ":" in t:
        return None
    path = t.lstrip("/") if t.startswith("/") else posixpath.join(posixpath.dirname(source), t)
    norm = posixpath.normpath(path)
    if norm.startswith(("..", "/")) or norm in (".", ""):
        return None
    return norm.lower()


def _read_rels(c: Container, name: str, source: str, actual: dict[str, str]) -> list[Rel]:
    try:
        root = _xml(c, name)
    except Refused as e:
        raise _bad(f"{name} 无法读取（{e.detail[:80]}）") from None
    if root.tag != f"{PKG_RNS}Relationships":
        raise _bad(f"{name} 不是关系清单")
    out: list[Rel] = []
    ids = set()
    for el in root:
        if el.tag != f"{PKG_RNS}Relationship":
            raise _bad(f"{name} 含有未知元素")
        rid, typ, target = el.get("Id") or "", el.get("Type") or "", el.get("Target") or ""
        if not rid or rid in ids or not typ or not target:
            raise _bad(f"{name} 的关系无效或重复（{rid[:20]}）")
        ids.add(rid)
        kind = typ.rstrip("/").rsplit("/", 1)[-1]
        if kind in ("externalLink", "oleObject", "externalLinkPath"):
            raise Refused("external-links", target[:200])
        if el.get("TargetMode") == "External":
            out.append(Rel(rid, kind, target, external=True))
            continue
        key = _resolve(source, target)
        if key is None:
            raise _bad(f"{name} 的关系指向包外（{target[:60]}）")
        if key not in actual:
            raise _bad(f"{name} 的关系指向不存在的部件（{target[:60]}）")
        out.append(Rel(rid, kind, actual[key]))
        if len(out) > MAX_RELATIONSHIPS:
            raise Refused("file-too-large", f"{name} 的关系超过 {MAX_RELATIONSHIPS} 个")
    return out


def open_package(c: Container) -> Package:
    """The package of ``c`` as Excel resolves it; Refused (package-invalid, part-unreachable,
    part-unexpected, part-names-disagree, external-links) when the graph and the file disagree."""
    actual = {n.lower(): n for n in c.names if not n.endswith("/")}
    defaults, overrides = _content_types(c, actual)
    pkg = Package(c)

    def content_type(part: str) -> str:
        key = part.lower()
        if key in overrides:
            return overrides[key]
        base = key.rsplit("/", 1)[-1]
        return defaults.get(base.rsplit(".", 1)[-1], "") if "." in base else ""

    for n in c.names:
        if not n.endswith("/") and n != actual[CONTENT_TYPES.lower()] and not content_type(n):
            raise _bad(f"部件 {n[:60]} 没有内容类型")
    if ROOT_RELS not in actual:
        raise _bad(f"缺少 {ROOT_RELS}")
    pkg.content_types = {n: content_type(n) for n in c.names if not n.endswith("/")}
    externals: list[str] = []
    queue = [("", "package")]
    while queue:
        source, kind = queue.pop(0)
        rn = rels_name(source).lower()
        if rn not in actual:
            pkg.rels[source] = []
            continue
        rels = _read_rels(c, actual[rn], source, actual)
        pkg.rels[source] = rels
        allowed = ALLOWED.get(kind, {})
        seen_single: set[str] = set()
        for r in rels:
            if r.external:
                if r.type not in EXTERNAL_OK:
                    externals.append(r.target)
                continue
            target_kind = allowed.get(r.type)
            if target_kind is None:
                raise Refused("part-unexpected", f"{r.target[:60]}（{r.type[:40]}）")
            ct = pkg.content_types.get(r.target, "")
            if not any(ct == t or (t.endswith("/") and ct.startswith(t)) for t in CONTENT[target_kind]):
                raise _bad(f"部件 {r.target[:60]} 的内容类型 {ct[:60] or '（无）'} 与用途不符")
            if target_kind in SINGLE:
                if target_kind in seen_single:
                    raise Refused("part-names-disagree", f"{source or '包'} 有两个 {r.type} 部件")
                seen_single.add(target_kind)
            conv = CONVENTIONAL.get(target_kind)
            if conv and not any(r.target.lower() == p or (p.endswith("/") and r.target.lower().startswith(p))
                                for p in conv):
                raise Refused("part-names-disagree", f"{r.type} 部件为 {r.target[:60]}，应为 {conv[0]}")
            previous = pkg.kinds.get(r.target)
            if previous is not None and previous != target_kind:
                raise Refused("part-names-disagree", f"{r.target[:60]} 同时被当作 {previous} 与 {target_kind}")
            if previous is None:
                pkg.kinds[r.target] = target_kind
                queue.append((r.target, target_kind))
    if "workbook" not in pkg.kinds.values():
        raise _bad(f"{ROOT_RELS} 没有指向工作簿")
    if externals:
        raise Refused("external-links", "、".join(sorted(set(externals)))[:200])
    reached_rels = {rels_name(p).lower() for p in [""] + list(pkg.kinds)}
    c.package = pkg
    for n in sorted(c.names):
        key = n.lower()
        if n.endswith("/") or key == CONTENT_TYPES.lower() or key in reached_rels or n in pkg.kinds:
            continue
        raise Refused("part-unreachable", n[:80])
    return pkg


def open_workbook(path) -> Container:
    """The file at ``path`` opened (every zip member checked) with its package resolved (``.package``)."""
    from pathlib import Path
    c = open_container(Path(path))
    open_package(c)
    return c

"""The source code of the modules in a VBA project (vbaProject.bin), read without running anything.

A VBA project is an OLE compound file; its ``VBA/dir`` stream lists the modules and where each one's
source starts in its stream, both compressed with MS-OVBA's run-length scheme (MS-OVBA 2.4.1). An
application that re-saves a workbook (LibreOffice) rewrites the project's bytes but keeps each module's
source, so the reader recognises our project by its modules' source and refuses any other code.
"""

from __future__ import annotations

import io
import re

MAX_STREAM = 4 * 1024 * 1024
MAX_MODULES = 200


class VBAError(ValueError):
    pass


def decompress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 decompression of a CompressedContainer."""
    if not data or data[0] != 1:
        raise VBAError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos + 2 <= len(data):
        header = int.from_bytes(data[pos:pos + 2], "little")
        chunk_end = min(pos + (header & 0x0FFF) + 3, len(data))
        pos += 2
        if not header & 0x8000:  # a raw chunk of 4096 bytes
            out += data[pos:pos + 4096]
            pos += 4096
            continue
        start = len(out)
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not (flags >> bit) & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise VBAError("truncated copy token")
                token = int.from_bytes(data[pos:pos + 2], "little")
                pos += 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                if offset > len(out) - start:
                    raise VBAError("copy token before the chunk")
                for _ in range(length):
                    out.append(out[-offset])
        if len(out) > MAX_STREAM:
            raise VBAError("stream too large")
    return bytes(out)


def _modules(dir_data: bytes) -> list[tuple[str, int]]:
    """(stream name, source offset) of each module, from the decompressed dir stream."""
    out, name, offset, pos = [], None, 0, 0
    while pos + 6 <= len(dir_data):
        rid = int.from_bytes(dir_data[pos:pos + 2], "little")
        size = int.from_bytes(dir_data[pos + 2:pos + 6], "little")
        if rid == 0x0009:  # PROJECTVERSION: its size field says 4, six bytes follow
            size = 6
        body = dir_data[pos + 6:pos + 6 + size]
        pos += 6 + size
        if rid == 0x001A:
            name = body.decode("latin-1")
        elif rid == 0x0031 and len(body) == 4:
            offset = int.from_bytes(body, "little")
        elif rid == 0x002B:
            if name is not None:
                out.append((name, offset))
            name, offset = None, 0
            if len(out) > MAX_MODULES:
                raise VBAError("too many modules")
    return out


def module_sources(project: bytes) -> dict[str, str]:
    """Module name -> source text; VBAError (or an OLE error) for anything that is not a readable project."""
    import olefile
    ole = olefile.OleFileIO(io.BytesIO(project))
    try:
        streams = {"/".join(p).lower(): "/".join(p) for p in ole.listdir()}
        dir_name = next((v for k, v in streams.items() if k.endswith("vba/dir")), None)
        if dir_name is None:
            raise VBAError("no VBA/dir stream")
        root = dir_name[:-len("dir")]
        out = {}
        for name, offset in _modules(decompress(ole.openstream(dir_name).read(MAX_STREAM))):
            key = (root + name).lower()
            if key not in streams:
                raise VBAError(f"module stream {name!r} missing")
            data = ole.openstream(streams[key]).read(MAX_STREAM)
            out[name] = decompress(data[offset:]).decode("cp1252", errors="replace")
        return out
    finally:
        ole.close()


#: lines an application adds to say what a module is, not what it does (LibreOffice marks class modules)
_MARKERS = {"Option ClassModule", "Option VBASupport 1"}


def code_of(source: str) -> str:
    """A module's code as written: Attribute lines, module markers, blank lines and line ends left out."""
    lines = [ln.rstrip() for ln in re.split(r"\r\n|\r|\n", source)]
    return "\n".join(ln for ln in lines if ln and not ln.startswith("Attribute ") and ln not in _MARKERS)


def same_code(project: bytes, ours: bytes) -> bool:
    """Whether ``project`` holds exactly the code of ``ours`` (document modules may be empty and renamed)."""
    try:
        found = {k: code_of(v) for k, v in module_sources(project).items()}
        want = {k: code_of(v) for k, v in module_sources(ours).items()}
    except Exception:  # noqa: BLE001 - anything unreadable is not our project
        return False
    found = {k: v for k, v in found.items() if v}
    want = {k: v for k, v in want.items() if v}
    return found == want


# --- LibreOffice's rewrite of a project, recognised exactly ------------------------------------
#
# LibreOffice does not keep a project's bytes: it writes every module stream as compressed source
# only (no p-code, source offset 0), a _VBA_PROJECT stream that says "no p-code" (version 0xFFFF),
# its own dir stream and references (stdole and Office), a PROJECT text with a new ID, new
# encodings of the same protection state and no Class= lines, and each module's source with CRLF
# line ends and one more CRLF (class modules: VB_Name, "Option ClassModule", the code without its
# Attribute lines). ``libreoffice_rewrite`` accepts a project only when it is exactly that of ours.

LO_VBA_PROJECT = b"\xcc\x61\xff\xff\x00\x00\x00"
STDOLE = "{00020430-0000-0000-C000-000000000046}"
_GUID = re.compile(r"\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}")
_REFERENCES = {0x000D, 0x000E, 0x002F, 0x0030, 0x0033}
_WORKSPACE = re.compile(r"^-?\d+, -?\d+, -?\d+, -?\d+, [A-Z]?$")


def dir_records(data: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos + 6 <= len(data):
        rid = int.from_bytes(data[pos:pos + 2], "little")
        size = 6 if rid == 0x0009 else int.from_bytes(data[pos + 2:pos + 6], "little")
        out.append((rid, data[pos + 6:pos + 6 + size]))
        pos += 6 + size
    return out


def _module_types(records: list[tuple[int, bytes]]) -> dict[str, int]:
    """Module name -> 0x21 (procedural) or 0x22 (document or class), from the dir records."""
    out, name = {}, None
    for rid, body in records:
        if rid == 0x0019:
            name = body.decode("latin-1")
        elif rid in (0x0021, 0x0022) and name is not None:
            out[name] = rid
    return out


def decrypt(text: str) -> bytes:
    """MS-OVBA 2.4.3.3: the data of an encrypted PROJECT value (CMG, DPB, GC)."""
    data = bytes.fromhex(text.strip().strip('"'))
    if len(data) < 3:
        raise VBAError("encrypted value too short")
    seed, version_enc, key_enc = data[0], data[1], data[2]
    if seed ^ version_enc != 2:
        raise VBAError("unknown encryption version")
    plain_prev, enc_prev, enc_prev2 = seed ^ key_enc, key_enc, version_enc
    out = bytearray()
    for b in data[3:]:
        p = b ^ ((enc_prev2 + plain_prev) & 0xFF)
        enc_prev2, enc_prev, plain_prev = enc_prev, b, p
        out.append(p)
    ignored = (seed & 6) // 2
    body = bytes(out[ignored:])
    length = int.from_bytes(body[:4], "little")
    if len(body) != 4 + length:
        raise VBAError("encrypted value of the wrong length")
    return body[4:]


def _project_text(text: str) -> tuple[dict[str, str], list[tuple[str, str]], list[str], dict[str, str]]:
    """(keys, module lines (kind, name), [Host Extender Info] lines, [Workspace] name -> value)."""
    keys: dict[str, str] = {}
    modules: list[tuple[str, str]] = []
    host: list[str] = []
    workspace: dict[str, str] = {}
    section = ""
    for line in re.split(r"\r\n|\r|\n", text):
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line
            continue
        k, eq, v = line.partition("=")
        if not eq:
            raise VBAError("PROJECT line without =")
        if section == "":
            if k in ("Module", "Document", "Class", "BaseClass", "Package"):
                modules.append((k, v.split("/")[0]))
            elif k in keys:
                raise VBAError(f"PROJECT key {k} twice")
            else:
                keys[k] = v
        elif section == "[Host Extender Info]":
            host.append(line)
        elif section == "[Workspace]":
            workspace[k] = v
        else:
            raise VBAError(f"PROJECT section {section[:20]}")
    return keys, modules, host, workspace


def lo_source(name: str, source: str, is_class: bool) -> str:
    """Module ``name``'s source as LibreOffice writes it back."""
    text = re.sub(r"\r\n|\r|\n", "\r\n", source)
    if is_class:
        body = "".join(ln for ln in re.split(r"(?<=\r\n)", text) if not ln.startswith("Attribute "))
        return f'Attribute VB_Name = "{name}"\r\nOption ClassModule\r\n' + body + "\r\n"
    return text + "\r\n"


def _read(project: bytes) -> dict:
    import olefile
    ole = olefile.OleFileIO(io.BytesIO(project))
    try:
        streams = {"/".join(p): ole.openstream(p).read(MAX_STREAM) for p in ole.listdir(streams=True, storages=False)}
        storages = {"/".join(p).lower() for p in ole.listdir(streams=False, storages=True)}
    finally:
        ole.close()
    return {"streams": {k.lower(): v for k, v in streams.items()}, "storages": storages}


def libreoffice_rewrite(project: bytes, ours: bytes) -> str:
    """'' when ``project`` is exactly LibreOffice's rewrite of ``ours``, else what differs (in Chinese)."""
    try:
        got, want = _read(project), _read(ours)
        want_dir = dir_records(decompress(want["streams"]["vba/dir"]))
        got_dir = dir_records(decompress(got["streams"]["vba/dir"]))
        want_src = module_sources(ours)
        wkeys, wmods, whost, _ = _project_text(want["streams"]["project"].decode("cp1252"))
        gkeys, gmods, ghost, gwork = _project_text(got["streams"]["project"].decode("cp1252"))
    except Exception:  # noqa: BLE001 - anything unreadable is not a rewrite of ours
        return "无法读取"
    names = {n.lower() for n in want_src}
    expected = {"project", "projectwm", "vba/_vba_project", "vba/dir"} | {f"vba/{n}" for n in names}
    if set(got["streams"]) != expected or got["storages"] != {"vba"}:
        return "部件（流）不同"
    if got["streams"]["vba/_vba_project"] != LO_VBA_PROJECT:
        return "_VBA_PROJECT 不同"
    if _module_types(got_dir) != _module_types(want_dir):
        return "模块或模块类型不同"
    offsets = [body for rid, body in got_dir if rid == 0x0031]
    if len(offsets) != len(names) or any(int.from_bytes(b, "little") != 0 for b in offsets):
        return "模块含有源代码以外的内容"
    allowed = {g.upper() for rid, body in want_dir if rid in _REFERENCES
               for g in _GUID.findall(body.decode("latin-1"))} | {STDOLE}
    for rid, body in got_dir:
        if rid == 0x000E and rid not in {r for r, _ in want_dir}:
            return "引用了其他 VBA 项目"
        if rid in _REFERENCES and not {g.upper() for g in _GUID.findall(body.decode("latin-1"))} <= allowed:
            return "引用了其他类型库"
    classes = {n for k, n in wmods if k == "Class"}
    for name, src in want_src.items():
        try:
            text = decompress(got["streams"][f"vba/{name.lower()}"]).decode("cp1252", errors="strict")
        except (VBAError, UnicodeDecodeError, KeyError):
            return f"模块 {name} 无法读取"
        if text != lo_source(name, src, name in classes):
            return f"模块 {name} 的代码不同"
    if sorted(m for m in gmods if m[0] != "Class") != sorted(m for m in wmods if m[0] != "Class") or \
            not {m for m in gmods if m[0] == "Class"} <= {m for m in wmods if m[0] == "Class"}:
        return "PROJECT 中的模块列表不同"
    if set(gkeys) != set(wkeys) or any(gkeys[k] != wkeys[k] for k in ("Name", "HelpContextID", "VersionCompatible32")
                                       if k in wkeys):
        return "PROJECT 的属性不同"
    try:
        if any(decrypt(gkeys[k]) != decrypt(wkeys[k]) for k in ("CMG", "DPB", "GC") if k in wkeys):
            return "项目保护或密码不同"
    except (VBAError, ValueError):
        return "项目保护信息无法读取"
    if ghost != whost or not set(gwork) <= set(want_src) or not all(_WORKSPACE.match(v) for v in gwork.values()):
        return "PROJECT 的其他内容不同"
    wm = got["streams"]["projectwm"]
    found, pos = set(), 0
    while pos < len(wm) and wm[pos:pos + 2] != b"\0\0":
        end = wm.index(b"\0", pos)
        name = wm[pos:end].decode("latin-1")
        u_end = end + 1
        while wm[u_end:u_end + 2] != b"\0\0":
            u_end += 2
        if wm[end + 1:u_end].decode("utf-16-le", errors="replace") != name:
            return "PROJECTwm 不同"
        found.add(name)
        pos = u_end + 2
    if found != set(want_src) or wm[pos:] != b"\0\0":
        return "PROJECTwm 不同"
    return ""

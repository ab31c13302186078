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

"""The optional HMAC signature of a workbook's locked content, made by the builder and checked by the reader.

Without a key, the fingerprint in ``_meta`` is a plain SHA-256 of the locked content: it detects
accidents and casual edits, but anyone can recompute it. Only a signature made with a key the bureau
keeps (``--sign-key``) shows that the locked content and the department and year are the bureau's.
"""

from __future__ import annotations

import hashlib
import hmac
import json


def read_key(path: str) -> bytes:
    """The key in a key file; ValueError with a Chinese message when it cannot be used."""
    from pathlib import Path
    try:
        key = Path(path).read_bytes().strip()
    except OSError:
        raise ValueError(f"无法读取签名密钥文件 {path}") from None
    if not key:
        raise ValueError(f"签名密钥文件 {path} 是空的")
    return key


def sign(fp: str, department: str, year: int, key: bytes, prefill: str = "") -> str:
    """The HMAC of the locked content's fingerprint, department, year and (when the bureau prefilled
    inputs) the prefilled values as ``prefill_text`` wrote them."""
    msg = json.dumps([fp, department, year] + ([prefill] if prefill else []), ensure_ascii=False).encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def verify(signature: str, fp: str, department: str, year: int, key: bytes, prefill: str = "") -> bool:
    return hmac.compare_digest(signature, sign(fp, department, year, key, prefill))


def prefill_text(values: dict) -> str:
    """Prefilled input values ({input id: number or text}) as the canonical JSON _meta keeps ('' if none)."""
    return json.dumps(dict(sorted(values.items())), ensure_ascii=False, separators=(",", ":")) if values else ""


def password_hash(password: str | None) -> str:
    """The legacy 16-bit hash a sheet stores for its protection password ('' for none), ECMA-376 Part 4."""
    if not password:
        return ""
    digest = 0
    for ch in password[::-1]:
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(ch)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password) ^ 0xCE4B
    return f"{digest:X}"

"""What the pages share in reading a form: the one file a form uploads."""

from __future__ import annotations

from flask import flash, request

from ..uploads import UploadRefused, clean_name, read_capped


def one_file(missing: str) -> tuple[str, bytes] | None:
    """The uploaded ``file``'s shown name and bytes, or None after flashing why (none chosen, refused)."""
    fs = request.files.get("file")
    if not fs or not fs.filename:
        flash(missing, "bad")
        return None
    try:
        return clean_name(fs.filename), read_capped(fs.stream)
    except UploadRefused as e:
        flash(str(e), "bad")
        return None

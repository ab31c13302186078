"""Who may do what: the bureau's password (a slow scrypt hash), sessions with CSRF tokens, department codes.

The bureau signs in with the password set at first start; a department reaches only its own page, through
the code in its link (scoped to one department of one round). Every form and every upload carries the
session's CSRF token.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

from flask import abort, g, redirect, request, session, url_for

#: scrypt cost (2**15 × 8 × 1: ~32 MB and a few tenths of a second per try)
N, R, P = 2 ** 15, 8, 1
MIN_PASSWORD = 8


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, maxmem=64 * 1024 * 1024, dklen=32)
    return f"scrypt${N}${R}${P}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        _, n, r, p, salt, key = stored.split("$")
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=64 * 1024 * 1024, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(key))


def new_code() -> str:
    """A department code: 20 letters and digits that cannot be guessed (about 119 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(24))


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Every state-changing request carries the session's token (form field or X-CSRF-Token header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf") or ""
    have = session.get("csrf", "")
    if not have or not hmac.compare_digest(sent.encode("utf-8"), have.encode("utf-8")):
        abort(400, description="csrf")


def bureau_only(fn):
    """The bureau's pages: signed in, or sent to the sign-in page."""
    @functools.wraps(fn)
    def wrapper(*a, **kw):
        if session.get("who") != "bureau":
            if request.method == "GET" and not request.path.startswith("/api/"):
                return redirect(url_for("auth.login", next=request.path))
            abort(401)
        g.who = "财政局"
        return fn(*a, **kw)
    return wrapper

"""Signing webhook payloads: HMAC-SHA256 over ``<unix time>.<body>``, as Stripe does.

The header is ``X-Salama-Signature: t=<unix time>,v1=<hex digest>``. A receiver recomputes the
digest with its secret, compares in constant time, and refuses a time more than five minutes
old (a replayed request). The secret is ``whsec_`` and 43 url-safe characters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

HEADER = "X-Salama-Signature"
PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


def new_secret() -> tuple[str, bytes]:
    """A new secret: (the text shown once, the raw key bytes kept wrapped)."""
    raw = secrets.token_bytes(32)
    return PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="), raw


def key_of(secret_text: str) -> bytes:
    body = secret_text.removeprefix(PREFIX)
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def signature(key: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def header_value(key: bytes, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(key, timestamp, body)}"


def verify(secret_text: str, header: str, body: bytes, *, now: int) -> bool:
    """What a receiver does (and what the tests and the documentation's example do)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(key_of(secret_text), timestamp, body)
    return hmac.compare_digest(expected, fields.get("v1", ""))

"""The settings QR code ODK Collect (and KoboCollect) scans to join Salama as an app user.

Collect's settings format: a JSON object with ``general`` (server URL and behaviour), ``admin``
(what the interviewer may change) and ``project`` (name shown in the project list), compressed
with zlib and base64-encoded, carried by a QR code.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import segno
from django.http import HttpRequest
from django.urls import reverse


def server_url(request: HttpRequest, token: str) -> str:
    """The URL a device is configured with; Collect appends /formList and /submission."""
    return request.build_absolute_uri(
        reverse("fieldforms:openrosa-form-list", kwargs={"token": token})
    ).removesuffix("/formList")


def collect_settings(url: str, project_name: str) -> dict[str, Any]:
    return {
        "general": {
            "server_url": url,
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
            "delete_send": True,
        },
        "admin": {"change_server": False, "automatic_update": False},
        "project": {"name": project_name, "icon": "S"},
    }


def encode_settings(settings: dict[str, Any]) -> str:
    return base64.b64encode(zlib.compress(json.dumps(settings).encode("utf-8"))).decode("ascii")


def decode_settings(payload: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(payload)))
    return decoded


def qr_data_uri(payload: str) -> str:
    return str(segno.make(payload, micro=False, error="l").svg_data_uri(scale=4, border=2))

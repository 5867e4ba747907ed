"""Where a webhook may be sent: not into the server's own network (server-side request forgery).

An organisation administrator types the address; without this check they could make the server
post to its database host, a cloud metadata service or an admin interface on localhost. The
address must be https, and every address its host name resolves to must be public. It is checked
when the integration is saved and again before each delivery (a name can be re-pointed later).
SALAMA_WEBHOOKS_ALLOW_PRIVATE (on in development and tests only) lifts both rules.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_target(url: str) -> str:
    """The address, cleaned; ValidationError (saying what to fix) when it may not be used."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(
            {"target_url": _("Enter a full web address, such as https://example.org/hooks.")}
        ) from None
    allow_private = bool(settings.SALAMA_WEBHOOKS_ALLOW_PRIVATE)
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise ValidationError(
            {"target_url": _("The address must start with https:// and name a host.")}
        )
    if parts.username or parts.password:
        raise ValidationError(
            {"target_url": _("Remove the user name and password from the address.")}
        )
    if allow_private:
        return url
    addresses = _addresses(parts.hostname, port or 443)
    if not addresses:
        raise ValidationError(
            {"target_url": _("The host name of the address cannot be found. Check its spelling.")}
        )
    if not all(is_public(a) for a in addresses):
        raise ValidationError(
            {
                "target_url": _(
                    "The address points into a private or local network. Webhooks go only to "
                    "public addresses."
                )
            }
        )
    return url

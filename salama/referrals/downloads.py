"""External downloads: how a referral reaches a provider without Salama users.

Rule: the packet document is sealed (AES-GCM) under a key derived from a random token that only
the provider's email holds; the database keeps a hash of the token, never the token, so it
cannot read the packet alone. A link works once, for DOWNLOAD_DAYS, while the referral is open,
and at most DOWNLOAD_ATTEMPTS_PER_HOUR tries an hour; each opening is audited on both sides.
Closing the referral wipes the ciphertext.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.core import audit, ratelimit
from salama.core.crypto import DecryptionError, decrypt_bytes, derive_key, encrypt_bytes
from salama.referrals.models import OPEN_STATUSES, ExternalDownload, Referral
from salama.referrals.notifications import site_url
from salama.referrals.packets import packet_rows

DOWNLOAD_DAYS = 7
DOWNLOAD_ATTEMPTS_PER_HOUR = 5


def _token_hash(token: str) -> str:
    return hashlib.sha256(f"salama-referral-download\x00{token}".encode()).hexdigest()


def _download_key(token: str, salt: bytes, referral_id: object) -> bytes:
    return derive_key(token.encode(), salt=salt, info=f"salama/referral-download/{referral_id}")


def _download_aad(referral_id: object) -> bytes:
    return str(referral_id).encode()


def render_external_packet(referral: Referral) -> str:
    return render_to_string(
        "referrals/external_packet.html",
        {"referral": referral, "rows": packet_rows(referral.packet)},
    )


def create_external_download(
    referral: Referral, *, base_url: str, now: dt.datetime
) -> ExternalDownload:
    token = secrets.token_urlsafe(32)
    salt = os.urandom(16)
    document = render_external_packet(referral).encode("utf-8")
    sealed = encrypt_bytes(
        _download_key(token, salt, referral.pk), document, _download_aad(referral.pk)
    )
    download = ExternalDownload.objects.create(
        referral=referral,
        token_hash=_token_hash(token),
        salt=salt,
        ciphertext=sealed,
        expires_at=now + dt.timedelta(days=DOWNLOAD_DAYS),
    )
    link = f"{site_url(base_url)}{reverse('referrals:external-download', args=[token])}"
    address = referral.service.provider.contact_email
    subject = _("A referral from %(org)s") % {"org": referral.from_organisation.name}
    body = _(
        "%(org)s refers a person to your service “%(service)s”.\n\n"
        "Open the referral here (the link works once and until %(expires)s):\n%(link)s\n\n"
        "The link is the only key to the referral. Do not forward this email."
    ) % {
        "org": referral.from_organisation.name,
        "service": referral.service.name,
        "expires": timezone.localtime(download.expires_at).strftime("%Y-%m-%d %H:%M"),
        "link": link,
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))
    return download


def wipe_download(referral: Referral, now: dt.datetime) -> None:
    ExternalDownload.objects.filter(referral=referral, wiped_at__isnull=True).update(
        ciphertext=None, wiped_at=now
    )


class DownloadUnavailable(Exception):
    """The link cannot be used: unknown, expired, used up, closed or tried too often."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class DownloadInfo:
    download: ExternalDownload
    referral: Referral


def check_download(token: str, now: dt.datetime | None = None) -> DownloadInfo:
    """The download a token opens, if it can still be used (no decryption here)."""
    moment = now or timezone.now()
    download = (
        ExternalDownload.objects.select_related("referral__from_organisation", "referral__service")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if download is None:
        raise DownloadUnavailable("unknown")
    if download.wiped_at is not None or download.ciphertext is None:
        raise DownloadUnavailable("used")
    if download.expires_at <= moment:
        raise DownloadUnavailable("expired")
    if download.referral.status not in OPEN_STATUSES:
        raise DownloadUnavailable("closed")
    return DownloadInfo(download=download, referral=download.referral)


@transaction.atomic
def open_external_download(
    token: str, *, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> str:
    """Decrypt the packet document for the holder of the token; single use, audited."""
    if not ratelimit.allow(
        f"referral-download:{_token_hash(token)}",
        limit=DOWNLOAD_ATTEMPTS_PER_HOUR,
        window_seconds=3600,
    ):
        raise DownloadUnavailable("rate_limited")
    info = check_download(token, now)
    moment = now or timezone.now()
    download = ExternalDownload.objects.select_for_update().get(pk=info.download.pk)
    if download.ciphertext is None:
        raise DownloadUnavailable("used")
    key = _download_key(token, bytes(download.salt), download.referral_id)
    try:
        document = decrypt_bytes(
            key, bytes(download.ciphertext), _download_aad(download.referral_id)
        )
    except DecryptionError:
        raise DownloadUnavailable("unknown") from None
    download.downloads += 1
    download.last_downloaded_at = moment
    fields = ["downloads", "last_downloaded_at"]
    if download.downloads >= download.max_downloads:
        download.ciphertext = None
        download.wiped_at = moment
        fields += ["ciphertext", "wiped_at"]
    download.save(update_fields=fields)
    referral = info.referral
    for org in (referral.to_organisation_id, referral.from_organisation_id):
        audit.record(
            "referral.external_download",
            actor_label="external recipient",
            obj=referral,
            organisation=org,
            changes={"downloads": (download.downloads - 1, download.downloads)},
            request=request,
            scope=referral.case if org == referral.from_organisation_id else None,
        )
    return document.decode("utf-8")

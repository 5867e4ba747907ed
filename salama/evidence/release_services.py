"""Every write to anonymised releases: request, approve (four eyes), reject, build, download.

A data officer (or anyone with ``release.request``) requests a release of their organisation's
cases at some k; someone else with ``release.approve`` approves or rejects it — never the
requester. Approval queues the build as a background task (django-tasks): the cases are read
into generalised rows, made k-anonymous, zipped with their report and codebook, and stored
encrypted under a data key of the release's own, downloadable until it expires. Each step is
audited; downloads too.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core import audit, faults, keys
from salama.core.models import DataKey
from salama.core.policy import NotPermitted, Principal, require_perm
from salama.core.roles import Perm
from salama.core.versioning import bump_version
from salama.evidence import release as anon
from salama.evidence.release_access import ensure_release
from salama.evidence.release_data import raw_case_rows
from salama.evidence.release_models import AnonymisedRelease, ReleaseStatus

PURPOSE_LENGTH = 300
MAX_K = 100
RELEASE_CHANGED = gettext_lazy(
    "Someone else decided on this release while you were looking at it. Reload the page."
)


def min_k() -> int:
    """The smallest k a release may use (setting SALAMA_RELEASE_MIN_K, default 11)."""
    return int(getattr(settings, "SALAMA_RELEASE_MIN_K", anon.DEFAULT_K))


def download_days() -> int:
    """Days a built release stays downloadable (setting SALAMA_RELEASE_DOWNLOAD_DAYS, 7)."""
    return int(getattr(settings, "SALAMA_RELEASE_DOWNLOAD_DAYS", 7))


def max_removed_share() -> float:
    """Share of rows a build may remove (SALAMA_RELEASE_MAX_REMOVED_SHARE, default 1.0)."""
    return float(getattr(settings, "SALAMA_RELEASE_MAX_REMOVED_SHARE", 1.0))


@transaction.atomic
def request_release(*, actor: Principal, k: int, purpose: str) -> AnonymisedRelease:
    """Ask for a k-anonymous release of the actor's organisation's cases."""
    require_perm(actor, Perm.RELEASE_REQUEST)
    if actor.organisation is None:
        raise NotPermitted
    purpose = (purpose or "").strip()
    errors: dict[str, list[str]] = {}
    if not isinstance(k, int) or k < min_k() or k > MAX_K:
        errors["k"] = [
            _("Choose k between %(low)d and %(high)d.") % {"low": min_k(), "high": MAX_K}
        ]
    if not purpose:
        errors["purpose"] = [_("Say what the release is for and who will receive it.")]
    elif len(purpose) > PURPOSE_LENGTH:
        errors["purpose"] = [_("Keep the purpose under %(n)d characters.") % {"n": PURPOSE_LENGTH}]
    if errors:
        raise ValidationError(errors)
    item = AnonymisedRelease.objects.create(
        organisation=actor.organisation, k=k, purpose=purpose, requested_by=actor.user
    )
    audit.record(
        "evidence.release_requested",
        actor=actor.user,
        obj=item,
        organisation=actor.organisation,
        changes={"k": (None, k), "status": (None, item.status)},
    )
    return item


def _decide(actor: Principal, item: AnonymisedRelease, version: int | None) -> None:
    ensure_release(actor, item, Perm.RELEASE_APPROVE)
    if item.requested_by_id == actor.user.pk:
        raise ValidationError(
            _("You requested this release; another person must approve or reject it.")
        )
    if item.status != ReleaseStatus.REQUESTED:
        raise ValidationError(_("This release was already decided."))
    bump_version(item, version, RELEASE_CHANGED)


@transaction.atomic
def approve_release(
    *, actor: Principal, release: AnonymisedRelease, version: int | None = None
) -> AnonymisedRelease:
    """Approve someone else's request; the build runs in the background once committed."""
    _decide(actor, release, version)
    release.status = ReleaseStatus.APPROVED
    release.decided_by = actor.user
    release.decided_at = timezone.now()
    release.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        "evidence.release_approved",
        actor=actor.user,
        obj=release,
        organisation=release.organisation,
        changes={"status": (ReleaseStatus.REQUESTED, ReleaseStatus.APPROVED)},
    )
    from salama.evidence.release_tasks import build_release_task

    release_id = str(release.pk)
    transaction.on_commit(lambda: build_release_task.enqueue(release_id))
    return release


@transaction.atomic
def reject_release(
    *, actor: Principal, release: AnonymisedRelease, version: int | None = None
) -> AnonymisedRelease:
    """Reject someone else's request; nothing is built."""
    _decide(actor, release, version)
    release.status = ReleaseStatus.REJECTED
    release.decided_by = actor.user
    release.decided_at = timezone.now()
    release.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        "evidence.release_rejected",
        actor=actor.user,
        obj=release,
        organisation=release.organisation,
        changes={"status": (ReleaseStatus.REQUESTED, ReleaseStatus.REJECTED)},
    )
    return release


def bundle_bytes(result: anon.Release) -> bytes:
    """The zip a release downloads as: cases.csv, report.json, report.md, codebook.json."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cases.csv", result.data.to_csv(index=False))
        archive.writestr("report.json", json.dumps(result.report, indent=1, ensure_ascii=False))
        archive.writestr("report.md", anon.report_markdown(result.report))
        archive.writestr("codebook.json", json.dumps(anon.codebook(), indent=1, ensure_ascii=False))
    return buffer.getvalue()


@transaction.atomic
def build_release(release_id: Any) -> AnonymisedRelease:
    """Build an approved release (the background task calls this; system work, no actor)."""
    item = (
        AnonymisedRelease.objects.select_for_update(of=("self",))
        .select_related("organisation", "requested_by", "decided_by")
        .get(pk=release_id)
    )
    if item.status != ReleaseStatus.APPROVED:
        return item
    now = timezone.now()
    try:
        result = anon.release(
            raw_case_rows(item.organisation_id), item.k, max_removed_share=max_removed_share()
        )
    except anon.ReleaseRefused as exc:
        item.status = ReleaseStatus.FAILED
        item.failure = str(exc)[:300]
        item.save(update_fields=["status", "failure"])
        audit.record(
            "evidence.release_failed",
            actor_label="system",
            obj=item,
            organisation=item.organisation,
            changes={"status": (ReleaseStatus.APPROVED, ReleaseStatus.FAILED)},
        )
        return item
    result.report.update(
        created_at=now.isoformat(timespec="seconds"),
        requested_by=item.requested_by.get_username(),
        approved_by=item.decided_by.get_username() if item.decided_by else "",
        organisation=item.organisation.name,
        purpose=item.purpose,
    )
    key = DataKey.new()
    key.save()
    item.data_key = key
    item.report = result.report
    item.bundle.save("bundle", ContentFile(bundle_bytes(result)), save=False)
    faults.point("release.bundle")
    item.status = ReleaseStatus.READY
    item.built_at = now
    item.expires_at = now + dt.timedelta(days=download_days())
    item.save()
    audit.record(
        "evidence.release_built",
        actor_label="system",
        obj=item,
        organisation=item.organisation,
        changes={
            "status": (ReleaseStatus.APPROVED, ReleaseStatus.READY),
            "rows_out": (None, result.report["rows_out"]),
            "rows_removed": (None, result.report["rows_removed"]),
        },
    )
    return item


@transaction.atomic
def download_release(*, actor: Principal, release: AnonymisedRelease) -> bytes:
    """The decrypted zip of a ready, unexpired release (audited)."""
    ensure_release(actor, release)
    if not release.downloadable:
        raise ValidationError(_("This release cannot be downloaded: it is not ready or expired."))
    data = release.bundle.read_plain()
    audit.record(
        "evidence.release_downloaded", actor=actor.user, obj=release,
        organisation=release.organisation,
    )  # fmt: skip
    return data


@transaction.atomic
def expire_releases(now: dt.datetime | None = None) -> int:
    """Destroy the keys of releases past their expiry (system work); returns how many."""
    moment = now or timezone.now()
    count = 0
    for item in AnonymisedRelease.objects.select_for_update().filter(
        status=ReleaseStatus.READY, expires_at__lte=moment
    ):
        if item.data_key is not None:
            keys.shred(item.data_key)
        item.status = ReleaseStatus.EXPIRED
        item.save(update_fields=["status"])
        audit.record(
            "evidence.release_expired", actor_label="system", obj=item,
            organisation=item.organisation,
        )  # fmt: skip
        count += 1
    return count

"""Who hears about a referral or transfer, and how: in-app notifications plus one email each.

Rule: a notification goes to active members of the organisation it is about (a referral's
receivers are its service-provider staff, else its supervisors), its message names the referral
or transfer and never holds personal data, and its email leaves only after the transaction
commits, so a rolled-back change never announces itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salama.accounts.models import Membership, User
from salama.core.roles import Role
from salama.core.taxonomy import ServiceType
from salama.referrals.choices import NotificationKind
from salama.referrals.models import CaseTransfer, Notification, Referral
from salama.referrals.notification_texts import Message, language_of


def site_url(base_url: str) -> str:
    """The address links in emails start with: the caller's, else SALAMA_BASE_URL."""
    return (base_url or getattr(settings, "SALAMA_BASE_URL", "") or "http://localhost:8000").rstrip(
        "/"
    )


def members(org_id: int, roles: Iterable[str]) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=org_id, role__in=list(roles), is_active=True, user__is_active=True
        ).select_related("user")
    ]


def receivers(org_id: int) -> list[User]:
    return members(org_id, (Role.SERVICE_PROVIDER,)) or members(org_id, (Role.SUPERVISOR,))


def supervisors(org_id: int) -> list[User]:
    return members(org_id, (Role.SUPERVISOR,))


def notify(
    users: Iterable[User],
    organisation_id: int,
    kind: str,
    message: str | Message,
    *,
    referral: Referral | None = None,
    transfer: CaseTransfer | None = None,
    base_url: str = "",
) -> list[Notification]:
    """In-app notifications plus one email each after commit; `message` holds no personal data.

    A `Message` (code and parameters) is stored as such and read in each reader's language; each
    email is composed in its recipient's language."""
    code, params = (message.code, message.params) if isinstance(message, Message) else ("", {})
    text = (message.render(referral) or "") if isinstance(message, Message) else message
    rows = []
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Notification.objects.create(
                user=user,
                organisation_id=organisation_id,
                kind=kind,
                referral=referral,
                transfer=transfer,
                message=text[:300],
                code=code,
                params=params,
            )
        )
    link = f"{site_url(base_url)}{reverse('referrals:notifications')}"
    recipients = []
    for row in rows:
        with translation.override(language_of(row.user)):
            subject = f"Salama: {NotificationKind(kind).label}"
            body = _("%(message)s\n\nOpen Salama to see it: %(link)s") % {
                "message": row.shown_message,
                "link": link,
            }
        recipients.append((row.user.email, subject, body))

    def _send() -> None:
        for address, subject, body in recipients:
            send_mail(subject, body, None, [address], fail_silently=True)

    if recipients:
        transaction.on_commit(_send)
    return rows


def describe_referral(referral: Referral) -> str:
    return _("Referral %(id)s to %(service)s (%(type)s)") % {
        "id": referral.short_id,
        "service": referral.service.name,
        "type": ServiceType(referral.service_type).label,
    }


def mark_notifications_read(
    notifications: QuerySet[Notification], now: dt.datetime | None = None
) -> int:
    return notifications.filter(read_at__isnull=True).update(read_at=now or timezone.now())

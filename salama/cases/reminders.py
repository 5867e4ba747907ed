"""Reminders of overdue work: open tasks past their due date and risk reviews past theirs.

`send_reminders(now)` is idempotent: each overdue item is announced to its person once per due
date (ReminderSent), so running it every few minutes sends nothing new until something else
falls overdue (or a review is done and its next one falls overdue in turn). One email per person
and run, in their language, says only how many items are overdue and links to Salama: no name,
no case reference, no task title (docs/threat-model.md). The same items show on the home page.

Run it from `manage.py reminders` (cron or a systemd timer in production; `make run` runs it
in the background in development) or as the django-tasks task salama.cases.tasks.send_reminders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salama.accounts.models import Membership, User
from salama.cases.choices import TaskStatus
from salama.cases.models import Task
from salama.cases.safety_models import ReminderKind, ReminderSent
from salama.cases.safety_queries import current_assessments

Item = tuple[str, str, dt.date]  # (kind, object id, due date)


def _base_url(base_url: str) -> str:
    return (base_url or getattr(settings, "SALAMA_BASE_URL", "") or "http://localhost:8000").rstrip(
        "/"
    )


def overdue_items(today: dt.date) -> dict[int, list[Item]]:
    """Every overdue item, by the id of the user it is for: open tasks past due (for the person
    the task is assigned to) and current risk assessments past review (for the caseworker of the
    case), on open cases of persons not erased, for active members of the case's organisation."""
    items: dict[int, list[Item]] = defaultdict(list)
    active = Membership.objects.filter(is_active=True, user__is_active=True)
    tasks = Task.objects.filter(
        status=TaskStatus.OPEN,
        due_on__lt=today,
        assigned_to__isnull=False,
        case__closed_at__isnull=True,
        case__person__erased_at__isnull=True,
    ).values_list("assigned_to_id", "case__organisation_id", "id", "due_on")
    reviews = (
        current_assessments()
        .filter(
            next_review_on__lt=today,
            case__assigned_to__isnull=False,
            case__closed_at__isnull=True,
            case__person__erased_at__isnull=True,
        )
        .values_list("case__assigned_to_id", "case__organisation_id", "id", "next_review_on")
    )
    rows = [(ReminderKind.TASK, row) for row in tasks] + [
        (ReminderKind.RISK_REVIEW, row) for row in reviews
    ]
    members = set(
        active.filter(
            user_id__in={row[0] for _kind, row in rows},
            organisation_id__in={row[1] for _kind, row in rows},
        ).values_list("user_id", "organisation_id")
    )
    for kind, (user_id, org_id, object_id, due_on) in rows:
        if (user_id, org_id) in members and due_on is not None:
            items[user_id].append((str(kind), str(object_id), due_on))
    return items


def _message(user: User, count: int, link: str) -> tuple[str, str]:
    """The subject and body of a reminder, in the user's language; counts only."""
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Salama: overdue work")
        body = ngettext(
            "You have %(n)s overdue item in Salama (a task or a risk review).",
            "You have %(n)s overdue items in Salama (tasks or risk reviews).",
            count,
        ) % {"n": count}
        body += "\n\n" + _("Open Salama to see them: %(link)s") % {"link": link}
    return subject, body


@transaction.atomic
def send_reminders(now: dt.datetime | None = None, *, base_url: str = "") -> int:
    """Remind each person of their overdue items not yet announced; returns emails queued.

    Emails leave after the transaction commits, one per person."""
    today = timezone.localdate(now or timezone.now())
    link = f"{_base_url(base_url)}{reverse('core:home')}"
    outgoing: list[tuple[str, str, str]] = []
    users = {}
    by_user = overdue_items(today)
    if by_user:
        users = User.objects.in_bulk(list(by_user))
    for user_id, items in by_user.items():
        new = 0
        for kind, object_id, due_on in items:
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(
                        user_id=user_id, kind=kind, object_id=object_id, due_on=due_on
                    )
            except IntegrityError:  # announced before
                continue
            new += 1
        user = users.get(user_id)
        if new and user is not None and user.email:
            subject, body = _message(user, len(items), link)
            outgoing.append((subject, body, user.email))

    def _send() -> None:
        for subject, body, address in outgoing:
            send_mail(subject, body, None, [address], fail_silently=True)

    if outgoing:
        transaction.on_commit(_send)
    return len(outgoing)

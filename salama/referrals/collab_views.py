"""Pages for working on a referral together: its message thread, and the receiving
organisation's own records of the referrals it handled.

The thread page shows the referral's packet (the snapshot the recipient may read) and the
messages, never the case or the person; it is reached by either side through access_thread, and
is 404 for anyone else (a third organisation, or the recipient once the referral is closed).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from salama.core.policy import request_principal
from salama.referrals import collab_queries, services
from salama.referrals.access import access_delivery_record
from salama.referrals.choices import NotificationKind
from salama.referrals.collab import sender_contact, thread_side
from salama.referrals.forms import MessageForm
from salama.referrals.models import Notification
from salama.referrals.packets import packet_rows


def notification_link(notification: Notification, org_id: int | None) -> str:
    """Where a notification about a referral leads: the thread for a message, else the packet
    (recipient) or the referral (sender); for a recipient whose referral is closed, its own
    delivery record, never a page it can no longer open."""
    referral = notification.referral
    assert referral is not None
    is_message = notification.kind == NotificationKind.REFERRAL_MESSAGE
    if referral.to_organisation_id == org_id:
        if not referral.is_open:
            record = getattr(referral, "delivery_record", None)
            return reverse("referrals:delivery-detail", args=[record.id]) if record else ""
        name = "referrals:thread" if is_message else "referrals:packet"
        return reverse(name, args=[referral.id])
    name = "referrals:thread" if is_message else "referrals:referral-detail"
    return reverse(name, args=[referral.id])


@login_required
@never_cache
def thread(request: HttpRequest, referral_id: Any) -> HttpResponse:
    principal = request_principal(request)
    referral, thread_messages = collab_queries.read_thread(principal, referral_id, request=request)
    side = thread_side(principal, referral)
    can_post = referral.is_open and not referral.service.provider.is_external
    form = MessageForm(request.POST or None) if can_post else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.post_referral_message(
                actor=principal,
                referral=referral,
                body=form.cleaned_data["body"],
                base_url=request.build_absolute_uri("/").rstrip("/"),
                request=request,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Your message was sent."))
            return redirect("referrals:thread", referral.id)
    back = (
        reverse("referrals:packet", args=[referral.id])
        if side == "recipient"
        else reverse("referrals:referral-detail", args=[referral.id])
    )
    return render(
        request,
        "referrals/thread.html",
        {
            "referral": referral,
            "rows": packet_rows(referral.packet),
            "thread": thread_messages,
            "form": form,
            "contact": sender_contact(referral),
            "side": side,
            "own_org_id": principal.organisation.pk if principal.organisation else None,
            "back": back,
            "overdue": referral.is_overdue(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    records = collab_queries.delivery_records(request_principal(request))
    return render(request, "referrals/delivery_list.html", {"records": records})


@login_required
def delivery_detail(request: HttpRequest, record_id: Any) -> HttpResponse:
    record = access_delivery_record(request_principal(request), record_id)
    return render(request, "referrals/delivery_detail.html", {"record": record})

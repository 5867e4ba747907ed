"""Referral pages: directory, sending, the provider's inbox and packet, the supervisors' board,
transfers, notifications and the external download.

Each view parses its input, fetches through salama.core.policy (404 for missing and not-yours),
makes one service call and renders or redirects. A recipient reaches a packet only through
access_referral_packet, never through a case or a person.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from salama.assistance.services import money_total, open_items_on_funds_of
from salama.cases.access import access_case
from salama.cases.plan_links import initial_plan_item, offer_plan_items
from salama.core.policy import (
    Principal,
    get_or_404,
    has_perm,
    principal_for,
    request_principal,
    require_perm,
)
from salama.core.roles import Perm
from salama.referrals import collab_queries, forms, queries, rules, services
from salama.referrals.access import (
    access_managed_service,
    access_referral_packet,
    access_referral_sent,
    access_transfer,
    access_transfer_packet,
    can_view_directory,
    manageable_providers,
    open_packets_received,
    visible_notifications,
    visible_referrals_board,
    visible_referrals_sent,
    visible_services,
    visible_transfers,
)
from salama.referrals.choices import ReferralAction, ReferralStatus, TransferStatus, Urgency
from salama.referrals.collab import referral_consent, sender_contact
from salama.referrals.collab_views import notification_link
from salama.referrals.directory import eligibility_problems, find_services
from salama.referrals.downloads import DownloadUnavailable, check_download
from salama.referrals.models import OPEN_STATUSES, Referral
from salama.referrals.packets import consent_message, packet_rows

BOARD_LIMIT = 300


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Directory --------------------------------------------------------------------------------------


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not can_view_directory(principal):
        raise PermissionDenied
    form = forms.DirectorySearchForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    case = access_case(principal, data["case"]) if data.get("case") else None
    results = find_services(
        visible_services(principal),
        service_type=data.get("service_type", ""),
        country=data.get("country", ""),
        area=data.get("area", ""),
        language=data.get("language", ""),
    )
    own_country = principal.organisation.country if principal.organisation else ""
    rows = [
        {
            "service": s,
            "cross_border": bool(own_country) and s.country != own_country,
            "problems": eligibility_problems(s, case) if case else [],
        }
        for s in results
    ]
    context = {
        "form": form,
        "rows": rows,
        "case": case,
        "can_refer": has_perm(principal, Perm.REFERRAL_SEND) and case is not None,
        "can_manage": manageable_providers(principal).exists(),
    }
    return render(request, "referrals/directory.html", context)


@login_required
def service_detail(request: HttpRequest, service_uuid: Any) -> HttpResponse:
    principal = request_principal(request)
    service = get_or_404(visible_services(principal), uuid=service_uuid)
    days = rules.sla_days(
        service.service_type,
        {"acknowledge_days": service.acknowledge_days, "accept_days": service.accept_days},
    )
    can_edit = manageable_providers(principal).filter(pk=service.provider_id).exists()
    return render(
        request,
        "referrals/service_detail.html",
        {"service": service, "days": days, "can_edit": can_edit},
    )


@login_required
def directory_manage(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    org = principal.organisation
    if org is None or not (
        has_perm(principal, Perm.ORG_MANAGE_SETTINGS) or has_perm(principal, Perm.SYSTEM_MANAGE)
    ):
        raise PermissionDenied
    services.ensure_provider(org)
    form = forms.ExternalProviderForm(request.POST or None, initial={"country": org.country})
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.add_external_provider(
                actor=principal, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": provider.name})
            return redirect("referrals:directory-manage")
    providers = list(manageable_providers(principal).prefetch_related("services"))
    return render(
        request,
        "referrals/directory_manage.html",
        {"providers": providers, "form": form},
        status=400 if form.errors else 200,
    )


def _service_form_save(
    request: HttpRequest, principal: Principal, provider: Any, service: Any
) -> HttpResponse:
    form = forms.ServiceForm(
        request.POST or None,
        instance=service,
        initial={"version": service.version if service else None, "country": provider.country},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            saved = services.save_service(
                actor=principal,
                provider=provider,
                service=service,
                expected_version=form.cleaned_data.get("version"),
                request=request,
                **data,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The service was saved."))
            return redirect(saved)
    return render(
        request,
        "referrals/service_form.html",
        {"form": form, "provider": provider, "service": service},
        status=400 if form.errors else 200,
    )


@login_required
def service_create(request: HttpRequest, provider_uuid: Any) -> HttpResponse:
    principal = request_principal(request)
    provider = get_or_404(manageable_providers(principal), uuid=provider_uuid)
    return _service_form_save(request, principal, provider, None)


@login_required
def service_edit(request: HttpRequest, service_uuid: Any) -> HttpResponse:
    principal = request_principal(request)
    service = access_managed_service(principal, service_uuid)
    return _service_form_save(request, principal, service.provider, service)


# Sending ----------------------------------------------------------------------------------------


@login_required
def referral_create(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.REFERRAL_SEND)
    case = access_case(
        principal, request.GET.get("case") or request.POST.get("case"), for_write=True
    )
    service = get_or_404(
        visible_services(principal).filter(is_active=True),
        uuid=request.GET.get("service") or request.POST.get("service"),
    )
    can_override = has_perm(principal, Perm.REFERRAL_EMERGENCY_OVERRIDE)
    # Step 1 is consent: without an active referral consent for this organisation and service
    # the rest of the form is not offered (or, for those who may, only as an emergency override).
    consent = referral_consent(case, service)
    form = forms.ReferralForm(
        request.POST or None,
        can_override=can_override,
        has_consent=consent is not None,
        initial={
            "packet_fields": rules.default_packet(service.service_type),
            "sender_email": principal.user.email if principal.user else "",
            "plan_item": initial_plan_item(case, request.GET.get("plan_item")),
        },
    )
    offer_plan_items(form, case)
    blocked = consent is None and not can_override
    if request.method == "POST" and blocked:
        form = None
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.send_referral(
                actor=principal,
                case=case,
                service=service,
                packet_fields=data["packet_fields"],
                purpose_note=data["purpose_note"],
                needs_note=data["needs_note"],
                emergency_override_reason=data.get("emergency_override_reason", ""),
                urgency_level=data["urgency"] or Urgency.NORMAL,
                sender_phone=data["sender_phone"],
                sender_email=data["sender_email"],
                base_url=_base(request),
                plan_item=data["plan_item"],
                request=request,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Referral %(id)s was sent.") % {"id": referral.short_id})
            return redirect("referrals:referral-detail", referral.id)
    return render(
        request,
        "referrals/referral_create.html",
        {
            "form": None if blocked else form,
            "consent": consent,
            "consent_problem": consent_message(
                service.provider.organisation, service.service_type, can_override
            )
            if consent is None
            else "",
            "can_override": can_override,
            "case": case,
            "service": service,
            "cross_border": service.provider.organisation.country != case.organisation.country,
            "problems": eligibility_problems(service, case),
        },
        status=400 if request.method == "POST" and (blocked or form.errors) else 200,
    )


@login_required
def referral_sent_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    case = access_case(principal, request.GET["case"]) if request.GET.get("case") else None
    only = queries.ReferralFilter.from_params(request.GET)
    now = timezone.now()
    rows = [
        {"referral": r, "overdue": r.is_overdue(now)}
        for r in queries.referrals_sent(principal, case, only=only)
    ]
    return render(request, "referrals/sent_list.html", {"rows": rows, "case": case, "only": only})


@login_required
def referral_detail(request: HttpRequest, referral_id: Any) -> HttpResponse:
    """The sender's view of one referral: status, packet as sent, and the sender's actions."""
    principal = request_principal(request)
    referral = access_referral_sent(principal, referral_id)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "rows": packet_rows(referral.packet),
            "actions": services.actions_for(principal, referral),
            "move_form": forms.MoveForm(initial={"version": referral.version}),
            "overdue": referral.is_overdue(),
            "contact": sender_contact(referral),
        },
    )


# Inbox and packet -------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    show = request.GET.get("show", "open")
    only = queries.ReferralFilter.from_params(request.GET)
    referrals = collab_queries.inbox_referrals(principal, include_closed=show != "open", only=only)
    now = timezone.now()
    records = collab_queries.delivery_records_by_referral(referrals)
    rows = [
        {
            "referral": r,
            "overdue": r.is_overdue(now),
            "contact": sender_contact(r) if r.is_open else None,
            "record": records.get(r.pk),
        }
        for r in referrals
    ]
    return render(request, "referrals/inbox.html", {"rows": rows, "show": show, "only": only})


@login_required
@never_cache
def packet(request: HttpRequest, referral_id: Any) -> HttpResponse:
    principal = request_principal(request)
    referral = queries.read_packet(principal, referral_id, request=request)
    return render(
        request,
        "referrals/packet.html",
        {
            "referral": referral,
            "rows": packet_rows(referral.packet),
            "actions": services.actions_for(principal, referral),
            "move_form": forms.MoveForm(initial={"version": referral.version}),
            "overdue": referral.is_overdue(),
            "contact": sender_contact(referral),
        },
    )


@login_required
@require_POST
def referral_move(request: HttpRequest, referral_id: Any, action: str) -> HttpResponse:
    principal = request_principal(request)
    if action not in ReferralAction.values:
        raise Http404("Not found")
    referral: Referral
    recipient = has_perm(principal, Perm.REFERRAL_RECEIVE)
    referral = (
        access_referral_packet(principal, referral_id)
        if recipient
        else access_referral_sent(principal, referral_id)
    )
    back = (
        reverse("referrals:packet", args=[referral.id])
        if recipient
        else reverse("referrals:referral-detail", args=[referral.id])
    )
    form = forms.MoveForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return _move_refused(request, principal, referral, action, errors, recipient=recipient)
    data = form.cleaned_data
    try:
        services.move_referral(
            actor=principal,
            referral=referral,
            action=action,
            expected_version=data["version"],
            reason=data["reason"],
            delivery_note=data["delivery_note"],
            delivered_on=data["delivered_on"],
            base_url=_base(request),
            request=request,
        )
    except ValidationError as exc:
        return _move_refused(
            request, principal, referral, action, exc.messages, recipient=recipient
        )
    messages.success(
        request,
        _("Referral %(id)s is now %(status)s.")
        % {"id": referral.short_id, "status": str(ReferralStatus(referral.status).label).lower()},
    )
    if recipient and referral.status not in OPEN_STATUSES:
        return redirect("referrals:inbox")
    return redirect(back)


def _move_refused(
    request: HttpRequest,
    principal: Any,
    referral: Referral,
    action: str,
    errors: list[str],
    *,
    recipient: bool,
) -> HttpResponse:
    """The page the action came from again, with what was typed kept and the error beside it.

    The referral is read afresh (a conflict means someone else changed it), so a second try
    posts the current version."""
    fresh = (
        access_referral_packet(principal, referral.id)
        if recipient
        else access_referral_sent(principal, referral.id)
    )
    context = {
        "referral": fresh,
        "rows": packet_rows(fresh.packet),
        "actions": services.actions_for(principal, fresh),
        "move_form": forms.MoveForm(initial={"version": fresh.version}),
        "overdue": fresh.is_overdue(),
        "move_action": action,
        "move_errors": errors,
        "move_typed": {
            key: request.POST.get(key, "")[:2000]
            for key in ("reason", "delivery_note", "delivered_on")
        },
    }
    template = "referrals/packet.html" if recipient else "referrals/referral_detail.html"
    return render(request, template, context, status=400)


# Board ------------------------------------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.CASE_VIEW_ALL)
    org = principal.organisation
    assert org is not None
    referrals = list(
        visible_referrals_board(principal)
        .select_related("service", "from_organisation", "to_organisation")
        .order_by("due_at", "-sent_at")[:BOARD_LIMIT]
    )
    now = timezone.now()
    columns = []
    for status in ReferralStatus:
        items = [
            {
                "referral": r,
                "overdue": r.is_overdue(now),
                "direction": "sent" if r.from_organisation_id == org.pk else "received",
            }
            for r in referrals
            if r.status == status
        ]
        columns.append({"status": status, "items": items})
    context = {"columns": columns, "now": now}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "referrals/partials/_board.html", context)
    return render(request, "referrals/board.html", context)


# Notifications ----------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    items = list(
        visible_notifications(principal).select_related("referral__service", "transfer")[
            :BOARD_LIMIT
        ]
    )
    org_id = principal.organisation.pk if principal.organisation else None
    # Link only to what the user can still open: a closed referral's packet, a referral of a case
    # reassigned to someone else or a transfer no longer theirs would be a 404.
    referral_ids = {n.referral_id for n in items if n.referral_id is not None}
    packets = set(
        open_packets_received(principal).filter(pk__in=referral_ids).values_list("pk", flat=True)
    )
    sent = set(
        visible_referrals_sent(principal).filter(pk__in=referral_ids).values_list("pk", flat=True)
    )
    transfers = set(
        visible_transfers(principal)
        .filter(pk__in={n.transfer_id for n in items if n.transfer_id is not None})
        .values_list("pk", flat=True)
    )
    rows = []
    for n in items:
        link = ""
        if n.referral_id is not None:
            referral = n.referral
            if referral.to_organisation_id != org_id:
                can_open = n.referral_id in sent
            elif referral.is_open:
                can_open = n.referral_id in packets
            else:
                can_open = True  # the recipient's own delivery record, never the closed packet
            link = notification_link(n, org_id) if can_open else ""
        elif n.transfer_id is not None and n.transfer_id in transfers:
            link = reverse("referrals:transfer-detail", args=[n.transfer_id])
        rows.append({"notification": n, "link": link})
    return render(request, "referrals/notifications.html", {"rows": rows})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.mark_notifications_read(visible_notifications(request_principal(request)))
    return redirect("referrals:notifications")


@login_required
def notification_count(request: HttpRequest) -> HttpResponse:
    count = visible_notifications(request_principal(request)).filter(read_at__isnull=True).count()
    return render(request, "referrals/partials/_notification_badge.html", {"unread": count})


# Transfers --------------------------------------------------------------------------------------


@login_required
def transfer_create(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.CASE_TRANSFER)
    case = access_case(
        principal, request.GET.get("case") or request.POST.get("case"), for_write=True
    )
    org = principal.organisation
    assert org is not None
    open_items = list(open_items_on_funds_of(case, org.pk).only("amount", "currency"))
    form = forms.TransferForm(
        request.POST or None,
        organisation=org,
        open_items_count=len(open_items),
        open_items_total=money_total(open_items),
        initial={"packet_fields": rules.default_packet("")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.request_transfer(
                actor=principal,
                case=case,
                to_org=data["to_org"],
                packet_fields=data["packet_fields"],
                reason=data["reason"],
                needs_note=data["needs_note"],
                open_items=data["open_items"],
                base_url=_base(request),
                request=request,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(
                request,
                _("Transfer %(id)s was requested; %(org)s must accept it.")
                % {"id": transfer.short_id, "org": transfer.to_organisation.name},
            )
            return redirect("referrals:transfer-list")
    return render(
        request,
        "referrals/transfer_create.html",
        {"form": form, "case": case},
        status=400 if form.errors else 200,
    )


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.CASE_TRANSFER)
    org = principal.organisation
    assert org is not None
    transfers = queries.transfer_list(principal)
    return render(
        request,
        "referrals/transfer_list.html",
        {
            "incoming": [t for t in transfers if t.to_organisation_id == org.pk],
            "outgoing": [t for t in transfers if t.from_organisation_id == org.pk],
        },
    )


@login_required
def transfer_detail(request: HttpRequest, transfer_id: Any) -> HttpResponse:
    principal = request_principal(request)
    try:
        transfer = queries.read_transfer_packet(principal, transfer_id, request=request)
        rows = packet_rows(transfer.packet)
    except Http404:
        transfer, rows = access_transfer(principal, transfer_id), None
    org = principal.organisation
    incoming = org is not None and transfer.to_organisation_id == org.pk
    can_decide = incoming and transfer.status == TransferStatus.PENDING
    return render(
        request,
        "referrals/transfer_detail.html",
        {
            "transfer": transfer,
            "rows": rows,
            "incoming": incoming,
            "can_decide": can_decide,
            "accept_form": forms.TransferAcceptForm(organisation=org) if can_decide else None,
            "decline_form": forms.DeclineForm() if can_decide else None,
        },
    )


@login_required
@require_POST
def transfer_accept(request: HttpRequest, transfer_id: Any) -> HttpResponse:
    principal = request_principal(request)
    transfer = access_transfer_packet(principal, transfer_id)
    # Only the receiving organisation decides; the sender learns nothing from trying.
    if principal.organisation is None or transfer.to_organisation_id != principal.organisation.pk:
        raise Http404("Not found")
    org = principal.organisation
    assert org is not None
    form = forms.TransferAcceptForm(request.POST, organisation=org)
    if not form.is_valid():
        messages.error(request, _("Choose who will work on the case."))
        return redirect("referrals:transfer-detail", transfer.id)
    try:
        services.accept_transfer(
            actor=principal,
            transfer=transfer,
            assign_to=form.cleaned_data["assign_to"],
            base_url=_base(request),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("referrals:transfer-detail", transfer.id)
    messages.success(
        request, _("The case is now yours as %(ref)s.") % {"ref": transfer.new_reference}
    )
    return redirect("cases:case-detail", transfer.case_id)


@login_required
@require_POST
def transfer_decline(request: HttpRequest, transfer_id: Any) -> HttpResponse:
    principal = request_principal(request)
    transfer = access_transfer_packet(principal, transfer_id)
    # Only the receiving organisation decides; the sender learns nothing from trying.
    if principal.organisation is None or transfer.to_organisation_id != principal.organisation.pk:
        raise Http404("Not found")
    form = forms.DeclineForm(request.POST)
    try:
        services.decline_transfer(
            actor=principal,
            transfer=transfer,
            reason=form.data.get("reason", ""),
            base_url=_base(request),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("referrals:transfer-detail", transfer.id)
    messages.success(request, _("The transfer was declined."))
    return redirect("referrals:transfer-list")


# External download ------------------------------------------------------------------------------

DOWNLOAD_MESSAGES = {
    "unknown": _("This link is not valid. Check that you copied the whole link from the email."),
    "expired": _(
        "This link has expired. Ask the referring organisation to send the referral again."
    ),
    "used": _(
        "This referral was already downloaded with this link. Ask the referring organisation "
        "if you need it again."
    ),
    "closed": _("This referral was withdrawn or closed; it can no longer be downloaded."),
    "rate_limited": _("Too many attempts with this link. Try again in an hour."),
}


@never_cache
def external_download(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation (so link scanners do not use up the download); POST decrypts."""
    try:
        if request.method == "POST":
            document = services.open_external_download(token, request=request)
            response = HttpResponse(document, content_type="text/html; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="referral.html"'
            response["X-Robots-Tag"] = "noindex"
            return response
        info = check_download(token)
    except DownloadUnavailable as exc:
        return render(
            request,
            "referrals/external_download.html",
            {"problem": DOWNLOAD_MESSAGES[exc.code]},
            status={"expired": 410, "used": 410, "closed": 410, "rate_limited": 429}.get(
                exc.code, 404
            ),
        )
    return render(
        request,
        "referrals/external_download.html",
        {"info": info, "referral": info.referral},
    )

"""Assistance pages: a case's assistance, the approvals queue, funds with their ledger.

Each view checks the role first (403 without the permission), fetches through the policy
(404 for missing and for other organisations' records), makes one service call, and redirects
with the service's message on refusal. The approvals queue and the fund pages show amounts, case
references and service types only; the free text about a person is read on the case page, whose
reading is audited as a view of the case.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.assistance import forms, queries, services
from salama.assistance.access import (
    access_fund,
    access_item,
    acts_for_item,
)
from salama.assistance.choices import ItemStatus, MovementKind
from salama.assistance.models import AssistanceItem, Fund
from salama.cases.access import access_case
from salama.cases.plan_links import initial_plan_item, offer_plan_items
from salama.core.navigation import redirect_next
from salama.core.policy import (
    Principal,
    has_perm,
    principal_for,
    request_principal,
    require_any_perm,
    require_perm,
)
from salama.core.roles import Perm
from salama.core.templatetags.kept import keep_input

ZERO = Decimal("0.00")


def currency_totals(items: list[AssistanceItem]) -> list[dict[str, Any]]:
    """Requested, committed and paid sums per currency (an amount is never added across them)."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"requested": ZERO, "approved": ZERO, "disbursed": ZERO}
    )
    for item in items:
        if item.status == ItemStatus.REQUESTED:
            totals[item.currency]["requested"] += item.amount
        elif item.status == ItemStatus.APPROVED:
            totals[item.currency]["approved"] += item.amount
        elif item.status == ItemStatus.DISBURSED:
            totals[item.currency]["disbursed"] += item.paid_amount or ZERO
    return [{"currency": c, **sums} for c, sums in sorted(totals.items())]


# A case's assistance ---------------------------------------------------------------------------


def _case_context(
    request: HttpRequest, principal: Principal, case: Any, form: forms.ItemRequestForm | None
) -> dict[str, Any]:
    items = queries.case_items(principal, case, request=request)
    for item in items:
        # Items on another organisation's fund (kept by the sender of a transfer) are theirs
        # to approve, pay or cancel: shown without actions and left out of this case's totals.
        item.ours = acts_for_item(principal, item)
    can_request = has_perm(principal, Perm.CASE_CHANGE) and not case.is_closed
    if form is None and can_request:
        plan_item = initial_plan_item(case, request.GET.get("plan_item"))
        form = forms.ItemRequestForm(
            organisation=case.organisation, initial={"plan_item": plan_item}
        )
    if form is not None:
        offer_plan_items(form, case)
    return {
        "case": case,
        "items": items,
        "totals": currency_totals([item for item in items if item.ours]),
        "paid_elsewhere": any(not item.ours for item in items),
        "form": form if can_request else None,
        "can_approve": has_perm(principal, Perm.ASSISTANCE_APPROVE),
        "can_disburse": has_perm(principal, Perm.ASSISTANCE_APPROVE)
        or has_perm(principal, Perm.FUND_MANAGE),
        "can_cancel": has_perm(principal, Perm.CASE_CHANGE)
        or has_perm(principal, Perm.ASSISTANCE_APPROVE)
        or has_perm(principal, Perm.FUND_MANAGE),
        "next": request.path,
    }


@login_required
def case_assistance(request: HttpRequest, case_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.CASE_VIEW)
    writing = request.method == "POST"
    case = access_case(principal, case_id, for_write=writing)
    form = None
    status = 200
    if writing:
        form = forms.ItemRequestForm(request.POST, organisation=case.organisation)
        offer_plan_items(form, case)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.request_assistance(
                    actor=principal,
                    case=case,
                    service_type=data["service_type"],
                    description=data["description"],
                    quantity=data["quantity"],
                    unit_cost=data["unit_cost"],
                    currency=data["currency"] or "",
                    service_date=data["service_date"],
                    fund=data["fund"],
                    provider_organisation=data["provider_organisation"],
                    provider_name=data["provider_name"],
                    justification=data["justification"],
                    alternatives_checked=data["alternatives_checked"],
                    alternatives_note=data["alternatives_note"],
                    plan_item=data["plan_item"],
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The assistance was requested."))
                if not request.htmx:  # type: ignore[attr-defined]
                    return redirect("assistance:case-assistance", case_id=case.id)
                form = None
        # HTMX swaps only 2xx answers; the full page says 400 for an invalid form.
        if form is not None and form.errors and not request.htmx:  # type: ignore[attr-defined]
            status = 400
    context = _case_context(request, principal, case, form)
    template = "assistance/case_assistance.html"
    if request.htmx:  # type: ignore[attr-defined]
        template = "assistance/partials/_case_section.html"
    response = render(request, template, context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


# Item actions ----------------------------------------------------------------------------------


def _back(request: HttpRequest, principal: Principal, item: AssistanceItem) -> HttpResponse:
    if has_perm(principal, Perm.CASE_VIEW):
        fallback = reverse("assistance:case-assistance", kwargs={"case_id": item.case_id})
    elif item.fund is not None:
        fallback = item.fund.get_absolute_url()
    else:
        fallback = reverse("assistance:approvals")
    return redirect_next(request, fallback)


def _act(
    request: HttpRequest,
    item_id: str,
    perms: tuple[str, ...],
    call: Any,
    success: str,
    form: Any = None,
) -> HttpResponse:
    principal = require_any_perm(request_principal(request), *perms)
    item = access_item(principal, item_id)
    # On an error the page comes back with what was typed (see salama/core/templatetags/kept.py).
    typed = {k: request.POST.get(k, "") for k in ("reason", "amount") if request.POST.get(k)}
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        keep_input(request, f"{request.resolver_match.url_name}-{item.id}", typed)
        return _back(request, principal, item)
    try:
        call(principal, item, form.cleaned_data if form is not None else {})
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        if not text:
            raise
        messages.error(request, text)
        keep_input(request, f"{request.resolver_match.url_name}-{item.id}", typed)
    else:
        messages.success(request, success)
    return _back(request, principal, item)


@login_required
@require_POST
def item_approve(request: HttpRequest, item_id: str) -> HttpResponse:
    return _act(
        request,
        item_id,
        (Perm.ASSISTANCE_APPROVE,),
        lambda p, item, d: services.approve_item(actor=p, item=item, request=request),
        _("The assistance was approved and its amount committed."),
    )


@login_required
@require_POST
def item_reject(request: HttpRequest, item_id: str) -> HttpResponse:
    return _act(
        request,
        item_id,
        (Perm.ASSISTANCE_APPROVE,),
        lambda p, item, d: services.reject_item(
            actor=p, item=item, reason=d["reason"], request=request
        ),
        _("The request was rejected."),
        forms.RejectForm(request.POST),
    )


@login_required
@require_POST
def item_disburse(request: HttpRequest, item_id: str) -> HttpResponse:
    return _act(
        request,
        item_id,
        (Perm.ASSISTANCE_APPROVE, Perm.FUND_MANAGE),
        lambda p, item, d: services.disburse_item(
            actor=p, item=item, amount=d.get("amount"), request=request
        ),
        _("The payment was recorded."),
        forms.DisburseForm(request.POST),
    )


@login_required
@require_POST
def item_cancel(request: HttpRequest, item_id: str) -> HttpResponse:
    return _act(
        request,
        item_id,
        (Perm.CASE_CHANGE, Perm.ASSISTANCE_APPROVE, Perm.FUND_MANAGE),
        lambda p, item, d: services.cancel_item(
            actor=p, item=item, reason=d.get("reason", ""), request=request
        ),
        _("The assistance was cancelled."),
        forms.CancelForm(request.POST),
    )


# Approvals -------------------------------------------------------------------------------------


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    items = queries.pending_approvals(principal)
    return render(
        request,
        "assistance/approvals.html",
        {
            "items": items,
            "me": principal.user,
            "org": principal.organisation,
            "next": request.path,
        },
    )


# Funds -----------------------------------------------------------------------------------------


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    funds = queries.fund_list(principal)
    return render(
        request,
        "assistance/fund_list.html",
        {"funds": funds, "can_manage": has_perm(principal, Perm.FUND_MANAGE)},
    )


@login_required
def fund_create(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.FUND_MANAGE)
    form = forms.FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.create_fund(actor=principal, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The fund was created. Top it up to use it."))
            return redirect(fund)
    return render(
        request, "assistance/fund_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _fund_context(
    principal: Principal, fund: Fund, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    bound = bound or {}
    items = fund.items.select_related("case", "decided_by", "disbursed_by").order_by(
        "-decided_at", "-requested_at"
    )
    can_manage = has_perm(principal, Perm.FUND_MANAGE)
    return {
        "fund": fund,
        "commitments": list(items.filter(status=ItemStatus.APPROVED)),
        "disbursements": list(items.filter(status=ItemStatus.DISBURSED)[: queries.MOVEMENT_LIMIT]),
        "movements": queries.fund_movements(fund),
        "movement_kinds": MovementKind,
        "can_manage": can_manage,
        "can_disburse": can_manage or has_perm(principal, Perm.ASSISTANCE_APPROVE),
        "deposit_form": bound.get("deposit") or forms.DepositForm(),
        "settings_form": bound.get("settings")
        or forms.FundSettingsForm(
            initial={"approval_threshold": fund.approval_threshold, "is_active": fund.is_active}
        ),
    }


@login_required
def fund_detail(request: HttpRequest, fund_id: str) -> HttpResponse:
    principal = request_principal(request)
    fund = queries.fund_to_read(principal, fund_id)
    return render(request, "assistance/fund_detail.html", _fund_context(principal, fund))


@login_required
@require_POST
def fund_deposit(request: HttpRequest, fund_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.FUND_MANAGE)
    fund = access_fund(principal, fund_id)
    form = forms.DepositForm(request.POST)
    if form.is_valid():
        try:
            services.deposit(
                actor=principal,
                fund=fund,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The deposit was recorded."))
            return redirect(fund)
    context = _fund_context(principal, fund, {"deposit": form})
    return render(request, "assistance/fund_detail.html", context, status=400)


@login_required
@require_POST
def fund_settings(request: HttpRequest, fund_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.FUND_MANAGE)
    fund = access_fund(principal, fund_id)
    form = forms.FundSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.update_fund(
                actor=principal,
                fund=fund,
                approval_threshold=form.cleaned_data["approval_threshold"],
                is_active=form.cleaned_data["is_active"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The fund was updated."))
            return redirect(fund)
    context = _fund_context(principal, fund, {"settings": form})
    return render(request, "assistance/fund_detail.html", context, status=400)

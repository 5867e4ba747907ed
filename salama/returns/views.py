"""Pages of the return journey: the organisation's list, the case-page section's forms, and the
receiving organisation's reception form on its referral."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.assistance.models import Fund
from salama.cases.access import access_case
from salama.cases.case_page import section_url
from salama.cases.models import Case
from salama.cases.views import render_case_page
from salama.core.countries import COUNTRIES
from salama.core.pagination import LightPage
from salama.core.policy import Principal, get_or_404, request_principal
from salama.core.roles import Perm
from salama.referrals.access import access_referral_packet, visible_services
from salama.returns import queries, rules, services
from salama.returns.access import access_journey
from salama.returns.case_section import SECTION, _funds, _services
from salama.returns.choices import JourneyStatus
from salama.returns.forms import (
    HandoverForm,
    JourneyFilterForm,
    OpenJourneyForm,
    ReceptionForm,
    ReintegrationActionForm,
    StepForm,
)


def _errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _run(
    request: HttpRequest, principal: Principal, case: Case, form: Form, call: Any
) -> HttpResponse:
    """Call the service with the form's data; on refusal show the case page with the form as
    typed, its errors in place, in the return section."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(section_url(case, SECTION))
    fresh = access_case(principal, case.pk)
    return render_case_page(request, principal, fresh, bound={SECTION: form}, status=400)


@login_required
def journey_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request, Perm.CASE_VIEW)
    form = JourneyFilterForm(request.GET or None)
    status = country = ""
    if form.is_valid():
        status, country = form.cleaned_data["status"], form.cleaned_data["country"]
    rows = queries.journey_rows(principal, status=status, country=country)
    page: LightPage[Any] = LightPage(rows, request.GET.get("page"), per_page=50)
    labels = dict(JourneyStatus.choices)
    return render(
        request,
        "returns/journey_list.html",
        {
            "form": form,
            "page": page,
            "rows": [
                {
                    "journey": j,
                    "status": labels.get(j.status, j.status),
                    "country": COUNTRIES.get(j.country, j.country),
                    "final": j.status in rules.FINAL,
                }
                for j in page
            ],
        },
    )


@login_required
@require_POST
def journey_open(request: HttpRequest, case_id: Any) -> HttpResponse:
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    form = OpenJourneyForm(request.POST)
    return _run(
        request,
        principal,
        case,
        form,
        lambda d: services.open_journey(
            actor=principal, case=case, country=d["country"], request=request
        ),
    )


@login_required
@require_POST
def journey_step(request: HttpRequest, journey_id: Any, step: str) -> HttpResponse:
    principal = request_principal(request)
    journey = access_journey(principal, journey_id)
    if step not in rules.HOST_STEPS:
        raise Http404("Not found")
    form = StepForm(request.POST, step=step)

    def call(d: dict[str, Any]) -> Any:
        fields = {k: v for k, v in d.items() if k != "version"}
        return services.take_step(
            actor=principal,
            journey=journey,
            step=step,
            data=services.StepInput(**fields),
            expected_version=d.get("version"),
            request=request,
        )

    return _run(request, principal, journey.case, form, call)


@login_required
@require_POST
def journey_handover(request: HttpRequest, journey_id: Any) -> HttpResponse:
    principal = request_principal(request)
    journey = access_journey(principal, journey_id)
    form = HandoverForm(request.POST, services=_services(journey, principal))

    def call(d: dict[str, Any]) -> Any:
        service = get_or_404(visible_services(principal), uuid=d["service"])
        return services.send_reception_referral(
            actor=principal,
            journey=journey,
            service=service,
            purpose_note=d["purpose_note"],
            packet_fields=d["packet_fields"],
            base_url=request.build_absolute_uri("/").rstrip("/"),
            request=request,
        )

    return _run(request, principal, journey.case, form, call)


@login_required
@require_POST
def journey_action(request: HttpRequest, journey_id: Any) -> HttpResponse:
    principal = request_principal(request)
    journey = access_journey(principal, journey_id)
    form = ReintegrationActionForm(request.POST, funds=_funds(journey.case))

    def call(d: dict[str, Any]) -> Any:
        fund = None
        if d["fund"]:
            fund = get_or_404(
                Fund.objects.filter(organisation_id=journey.case.organisation_id), pk=d["fund"]
            )
        return services.add_reintegration_action(
            actor=principal,
            journey=journey,
            dimension=d["dimension"],
            level=d["level"],
            kind=d["action_kind"],
            description=d["description"],
            unit_cost=d["unit_cost"],
            currency=d["currency"],
            fund=fund,
            alternatives_checked=d["alternatives_checked"]
            if fund and fund.is_last_resort
            else None,
            request=request,
        )

    return _run(request, principal, journey.case, form, call)


@login_required
@require_POST
def reception(request: HttpRequest, referral_id: Any) -> HttpResponse:
    """The receiving organisation records the reception on its referral (packet page)."""
    principal = request_principal(request, Perm.REFERRAL_RECEIVE)
    referral = access_referral_packet(principal, referral_id)
    form = ReceptionForm(request.POST)
    if form.is_valid():
        try:
            services.record_reception(
                actor=principal,
                referral=referral,
                received_on=form.cleaned_data["received_on"],
                place=form.cleaned_data["place"],
                request=request,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("The reception is recorded; the sending organisation sees it.")
            )
    else:
        for field in form:
            for error in field.errors:
                messages.error(request, f"{field.label}: {error}")
    return redirect("referrals:packet", referral.pk)

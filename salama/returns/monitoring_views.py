"""Pages of reintegration monitoring: the receiver's monitoring of a reception referral, the
visit form (the RSS questionnaire), lost contact, cancel, scheduling by hand from the case page,
and the programme's settings. The programme view is in programme_views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salama.cases.access import access_case
from salama.core.policy import Principal, request_principal
from salama.returns import monitoring, monitoring_queries, scoring
from salama.returns import monitoring_access as access
from salama.returns.monitoring_forms import (
    CancelForm,
    LostContactForm,
    ProgrammeForm,
    ScheduleForm,
    VisitForm,
)
from salama.returns.monitoring_models import MonitoringSchedule, MonitoringVisit, VisitStatus


def _back(principal: Principal, schedule: MonitoringSchedule) -> str:
    """Where the person came from: the reception page for the receiver, else the case page."""
    if access.schedules_received(principal).filter(pk=schedule.pk).exists():
        return reverse("returns:monitoring-reception", args=[schedule.reception_referral_id])
    return reverse("cases:case-detail", args=[schedule.case_id]) + "?open=monitoring#monitoring"


def _heading(principal: Principal, schedule: MonitoringSchedule) -> str:
    """What the pages call the returnee: the referral for the receiver (it never sees the case)."""
    if schedule.reception_referral_id and access.schedules_received(principal).filter(
        pk=schedule.pk
    ):
        return _("Referral %(ref)s") % {"ref": schedule.reception_referral.reference}
    return _("Case %(ref)s") % {"ref": schedule.case.reference}


def _refusals(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for msgs in exc.message_dict.values() for m in msgs]
    return [str(m) for m in exc.messages]


@login_required
def reception(request: HttpRequest, referral_id: Any) -> HttpResponse:
    """The receiving organisation's monitoring of one reception referral (never the case)."""
    principal = request_principal(request)
    referral = access.access_reception(principal, referral_id)
    return render(
        request,
        "returns/monitoring/reception.html",
        {
            "referral": referral,
            "schedules": monitoring_queries.reception_schedules(principal, referral),
        },
    )


def _visit_page(
    request: HttpRequest,
    principal: Principal,
    visit: MonitoringVisit,
    template: str,
    extra: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    schedule = visit.schedule
    return render(
        request,
        template,
        {
            "visit": visit,
            "row": monitoring_queries.visit_row(visit, can_record=True),
            "heading": _heading(principal, schedule),
            "back": _back(principal, schedule),
            **extra,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_record(request: HttpRequest, visit_id: Any) -> HttpResponse:
    """The RSS questionnaire of one visit; a done visit shows its answers."""
    principal = request_principal(request)
    visit = access.access_visit_to_record(principal, visit_id)
    if visit.status == VisitStatus.DONE:
        return _visit_page(
            request,
            principal,
            visit,
            "returns/monitoring/visit_done.html",
            {"answers": monitoring_queries.answers_shown(visit)},
        )
    if visit.status == VisitStatus.CANCELLED:
        raise Http404("Not found")
    table = scoring.load_table()
    form = VisitForm(request.POST or None, table=table, initial={"version": visit.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = monitoring.record_monitoring_visit(
                visit,
                actor=principal,
                answers=form.answers(),
                visited_on=data["visited_on"],
                place=data["place"],
                expected_version=data.get("version"),
                request=request,
            )
        except ValidationError as exc:
            for message in _refusals(exc):
                form.add_error(None, message)
        else:
            if done.below_threshold:
                messages.warning(
                    request,
                    _(
                        "Visit recorded. A score is below the programme's threshold: a "
                        "follow-up task was added for the case worker."
                    ),
                )
            else:
                messages.success(request, _("Visit recorded."))
            return redirect(_back(principal, visit.schedule))
    return _visit_page(
        request,
        principal,
        visit,
        "returns/monitoring/visit_form.html",
        {
            "form": form,
            "groups": form.groups(),
            "provisional": table.provisional,
            "weight_version": table.version,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_lost_contact(request: HttpRequest, visit_id: Any) -> HttpResponse:
    principal = request_principal(request)
    visit = access.access_visit_to_record(principal, visit_id)
    if visit.status not in (VisitStatus.SCHEDULED, VisitStatus.LOST_CONTACT):
        raise Http404("Not found")
    form = LostContactForm(request.POST or None, initial={"version": visit.version})
    if request.method == "POST" and form.is_valid():
        try:
            monitoring.record_lost_contact(
                visit,
                actor=principal,
                attempts=form.attempts(),
                expected_version=form.cleaned_data.get("version"),
                request=request,
            )
        except ValidationError as exc:
            for message in _refusals(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Lost contact recorded, with the attempts made."))
            return redirect(_back(principal, visit.schedule))
    return _visit_page(
        request,
        principal,
        visit,
        "returns/monitoring/lost_contact.html",
        {"form": form, "cancel_form": CancelForm(initial={"version": visit.version})},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def visit_cancel(request: HttpRequest, visit_id: Any) -> HttpResponse:
    principal = request_principal(request)
    visit = access.access_visit_to_record(principal, visit_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            monitoring.cancel_monitoring_visit(
                visit,
                actor=principal,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
                request=request,
            )
        except ValidationError as exc:
            for message in _refusals(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Visit cancelled."))
    else:
        messages.error(request, _("Say why the visit will not take place."))
    return redirect(_back(principal, visit.schedule))


@login_required
@require_POST
def schedule_create(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Schedule the visits of a return recorded before monitoring existed (case page)."""
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    back = reverse("cases:case-detail", args=[case.pk]) + "?open=monitoring#monitoring"
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    try:
        monitoring.schedule_monitoring(
            case,
            arrived_on=form.cleaned_data["arrived_on"],
            country=form.cleaned_data.get("country") or "",
            actor=principal,
            request=request,
        )
    except ValidationError as exc:
        for message in _refusals(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Monitoring visits scheduled."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def programme_settings(request: HttpRequest) -> HttpResponse:
    """An organisation administrator sets when visits fall due and the follow-up threshold."""
    principal = request_principal(request)
    if not access.can_manage_programme(principal):
        raise Http404("Not found")
    programme = monitoring.programme_for(principal.organisation)
    initial = {
        "visit_months": ", ".join(str(m) for m in programme.visit_months),
        "threshold": programme.threshold,
        "version": programme.version,
    }
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            monitoring.update_monitoring_programme(
                actor=principal,
                organisation=principal.organisation,
                visit_months=data["visit_months"],
                threshold=data["threshold"],
                expected_version=data.get("version") if programme.pk else None,
                request=request,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, msgs in exc.message_dict.items():
                    for message in msgs:
                        form.add_error(field if field in form.fields else None, message)
            else:
                for message in exc.messages:
                    form.add_error(None, message)
        else:
            messages.success(request, _("Monitoring settings saved."))
            return redirect("returns:programme-settings")
    return render(
        request,
        "returns/monitoring/programme_settings.html",
        {"form": form, "programme": programme},
        status=400 if request.method == "POST" else 200,
    )

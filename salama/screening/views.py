"""Screening, identification and vulnerability pages (function views; HTMX partials).

Each view parses its input, fetches through ``access_case`` (404 for missing and not-yours),
makes one service call and renders or redirects. An HTMX request for an answer gets the live
result (or profile) panel back; a plain form post is redirected to the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.cases import approvals
from salama.cases.access import access_case
from salama.cases.choices import Stage
from salama.cases.models import Case
from salama.core.policy import has_perm, request_principal
from salama.core.roles import Perm
from salama.people.choices import TraffickingStatus
from salama.screening import explain, forms, labels, queries, rules, services
from salama.screening.access import (
    access_assessment,
    access_decision,
    access_reconsideration,
    access_screening,
)
from salama.screening.choices import (
    AnswerSource,
    AnswerValue,
    DecisionStep,
    Harm,
    Polarity,
    Presence,
)
from salama.screening.models import Screening, VulnerabilityAssessment


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _screening(request: HttpRequest, screening_id: Any, *, for_write: bool = False) -> Screening:
    return access_screening(request_principal(request), screening_id, for_write=for_write)


def _assessment(
    request: HttpRequest, assessment_id: Any, *, for_write: bool = False
) -> VulnerabilityAssessment:
    return access_assessment(request_principal(request), assessment_id, for_write=for_write)


# Case overview -----------------------------------------------------------------------------


@login_required
def case_screenings(request: HttpRequest, case_id: Any) -> HttpResponse:
    principal = request_principal(request)
    case: Case = access_case(principal, case_id)
    can_change = has_perm(principal, Perm.CASE_CHANGE) and not case.is_closed
    org_types = _authority_types()
    identification = queries.identification(case)
    context = {
        "case": case,
        "can_change": can_change,
        "can_record": can_change and has_perm(principal, Perm.IDENTIFICATION_RECORD),
        "screenings": queries.case_screenings(case),
        "assessments": queries.case_assessments(case),
        "identification": identification,
        "referrals": [
            {"row": row, "authority_label": _label(org_types, row.referral.authority_type)}
            for row in identification.referrals
        ],
        "steps": _steps(identification, org_types),
        "start_form": forms.StartScreeningForm(),
        "referral_form": forms.ReferralForm(org_types=org_types, auto_id="id_referral_%s"),
        "is_child": services.person_is_child(case),
        "status_label": _status_label(case.person.trafficking_status),
        "stage_label": Stage(case.stage).label,
    }
    return render(request, "screening/case_screenings.html", context)


def _authority_types() -> list[tuple[str, str]]:
    return labels.authority_types(services.decision_org_types())


def _label(choices: list[tuple[str, str]], code: str) -> str:
    return dict(choices).get(code, code)


def _steps(
    identification: queries.Identification, org_types: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """The two steps of identification, each with its decisions and the forms to record
    reconsiderations (ids made unique per decision, as several sit on one page)."""
    steps = []
    for step, decisions in (
        (DecisionStep.REASONABLE_GROUNDS, identification.reasonable_grounds),
        (DecisionStep.CONCLUSIVE_GROUNDS, identification.conclusive_grounds),
    ):
        rows = []
        for decision in decisions:
            key = decision.pk.hex[:8]
            reviews = [
                {
                    "review": review,
                    "form": forms.ReconsiderationOutcomeForm(auto_id=f"id_{review.pk.hex[:8]}_%s")
                    if review.is_pending
                    else None,
                }
                for review in decision.reconsiderations.all()
            ]
            # No replacement raises RelatedObjectDoesNotExist, an AttributeError.
            replaced = getattr(decision, "replaced_by", None)
            rows.append(
                {
                    "decision": decision,
                    "authority_label": _label(org_types, decision.decided_by_org_type),
                    "replaced_by": replaced,
                    "reviews": reviews,
                    "can_request": replaced is None and not any(r["form"] for r in reviews),
                    "review_form": forms.ReconsiderationForm(auto_id=f"id_{key}_%s"),
                }
            )
        expected = (
            identification.expects_reasonable_grounds
            if step == DecisionStep.REASONABLE_GROUNDS
            else identification.expects_conclusive_grounds
        )
        steps.append({"code": step, "label": step.label, "rows": rows, "expected": expected})
    return steps


def _status_label(status: str) -> str:
    if not status:
        return _("Not assessed")
    return str(TraffickingStatus(status).label)


# Screening ---------------------------------------------------------------------------------


@login_required
@require_POST
def screening_start(request: HttpRequest, case_id: Any) -> HttpResponse:
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    form = forms.StartScreeningForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the form of exploitation and a valid age."))
        return redirect("screening:case-screenings", case.id)
    try:
        screening = services.start_screening(
            actor=principal, case=case, request=request, **form.cleaned_data
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("screening:case-screenings", case.id)
    messages.success(request, _("The screening was started."))
    return redirect("screening:screening-detail", screening.id)


def _screening_context(request: HttpRequest, screening: Screening) -> dict[str, Any]:
    table = services.table_for(screening)
    answers = {a.indicator: a for a in screening.answers.all()}
    dimensions = [
        {
            "code": dim.code,
            "title": explain.dimension_title(dim.code, table),
            "indicators": [
                {
                    "code": ind.code,
                    "label": explain.indicator_label(ind.code, table),
                    "rating": ind.rating,
                    "flag": labels.FLAG_NOTES.get(ind.flag.code, "") if ind.flag else "",
                    "answer": answers.get(ind.code),
                    "value": answers[ind.code].value
                    if ind.code in answers
                    else AnswerValue.NOT_ASKED,
                }
                for ind in dim.indicators
            ],
        }
        for dim in table.dimensions
    ]
    principal = request_principal(request)
    return {
        "screening": screening,
        "case": screening.case,
        "table": table,
        "dimensions": dimensions,
        "values": AnswerValue.choices,
        "sources": AnswerSource.choices,
        "panel": explain.result_panel(screening.result, table),
        "can_change": has_perm(principal, Perm.CASE_CHANGE) and not screening.is_final,
        "can_amend": has_perm(principal, Perm.CASE_CHANGE) and screening.is_final,
        "child_missing": services.child_requirements(screening.case),
        "proposed_stage": services.proposed_stage(screening.case)
        if screening.is_final and screening.outcome == rules.Outcome.MEETS_PROFILE
        else None,
        "proposed_stage_label": Stage.REFERRED_FOR_IDENTIFICATION.label,
    }


@login_required
def screening_detail(request: HttpRequest, screening_id: Any) -> HttpResponse:
    screening = _screening(request, screening_id)
    return render(
        request, "screening/screening_detail.html", _screening_context(request, screening)
    )


@login_required
@require_POST
def screening_answer(request: HttpRequest, screening_id: Any) -> HttpResponse:
    screening = _screening(request, screening_id, for_write=True)
    form = forms.AnswerForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.answer_indicator(
                actor=request_principal(request),
                screening=screening,
                indicator=form.cleaned_data["indicator"],
                value=form.cleaned_data["value"],
                source=form.cleaned_data["source"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            error = " ".join(_errors(exc))
        else:
            messages.success(request, _("The answer was saved."))
    else:
        error = _("Choose present, absent, unknown or not asked.")
    if _is_htmx(request):
        screening.refresh_from_db(fields=["result", "outcome"])
        context = _screening_context(request, screening)
        context["error"] = error
        return render(request, "screening/partials/_result.html", context)
    if error:
        messages.error(request, error)
    return redirect("screening:screening-detail", screening.id)


@login_required
@require_POST
def screening_act(request: HttpRequest, screening_id: Any) -> HttpResponse:
    screening = _screening(request, screening_id, for_write=True)
    try:
        services.set_act_recorded(
            actor=request_principal(request),
            screening=screening,
            act_recorded=request.POST.get("act_recorded") == "on",
            request=request,
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    if _is_htmx(request):
        return render(
            request, "screening/partials/_result.html", _screening_context(request, screening)
        )
    return redirect("screening:screening-detail", screening.id)


@login_required
@require_POST
def screening_finalise(request: HttpRequest, screening_id: Any) -> HttpResponse:
    """Finalising cannot be undone: the first post shows what will be frozen (how many
    indicators were not asked, the outcome) and asks to confirm; the confirmed post finalises."""
    screening = _screening(request, screening_id, for_write=True)
    if request.POST.get("confirmed") != "yes" and not screening.is_final:
        context = _screening_context(request, screening)
        indicators = [ind for dim in context["dimensions"] for ind in dim["indicators"]]
        context["total"] = len(indicators)
        context["not_asked"] = sum(1 for ind in indicators if ind["value"] == AnswerValue.NOT_ASKED)
        return render(request, "screening/finalise_confirm.html", context)
    try:
        services.finalise_screening(
            actor=request_principal(request), screening=screening, request=request
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The screening is final."))
        if screening.outcome == rules.Outcome.MEETS_PROFILE:
            messages.info(
                request,
                _("A task to refer the person for formal identification was added to the case."),
            )
    return redirect("screening:screening-detail", screening.id)


@login_required
@require_POST
def screening_amend(request: HttpRequest, screening_id: Any) -> HttpResponse:
    screening = _screening(request, screening_id, for_write=True)
    try:
        draft = services.amend_screening(
            actor=request_principal(request), screening=screening, request=request
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("screening:screening-detail", screening.id)
    messages.success(request, _("A new draft amends the screening; the final one is kept."))
    return redirect("screening:screening-detail", draft.id)


# Identification decision -------------------------------------------------------------------


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
def decision_create(request: HttpRequest, case_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.IDENTIFICATION_RECORD)
    case = access_case(principal, case_id, for_write=True)
    step = request.POST.get("step") or request.GET.get("step") or DecisionStep.REASONABLE_GROUNDS
    if step not in DecisionStep.values:
        step = DecisionStep.REASONABLE_GROUNDS
    identification = queries.identification(case)
    form = forms.DecisionForm(
        request.POST or None,
        org_types=_authority_types(),
        initial={"step": step, **_authority_on_file(identification, step)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_identification_decision(
                actor=principal, case=case, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The identification decision was recorded."))
            return redirect(_identification_url(case))
    return render(
        request,
        "screening/decision_form.html",
        {
            "case": case,
            "form": form,
            "step": DecisionStep(step),
            "identification": identification,
        },
        status=400 if form.errors else 200,
    )


def _authority_on_file(identification: queries.Identification, step: str) -> dict[str, str]:
    """The authority the case was referred to, or that made the first step: usually the one
    that decides next."""
    if step == DecisionStep.REASONABLE_GROUNDS and identification.waiting_referral:
        referral = identification.waiting_referral.referral
        return {
            "decided_by_org_type": referral.authority_type,
            "authority_name": referral.authority_name,
        }
    source = (
        identification.standing_reasonable_grounds
        if step == DecisionStep.CONCLUSIVE_GROUNDS
        else None
    )
    if source is None:
        return {}
    return {
        "decided_by_org_type": source.decided_by_org_type,
        "authority_name": source.authority_name,
    }


def _add_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's refusal on the field it names, or on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _identification_url(case: Case) -> str:
    from django.urls import reverse

    return reverse("screening:case-screenings", args=[case.id]) + "#identification-h"


@login_required
@require_POST
def referral_create(request: HttpRequest, case_id: Any) -> HttpResponse:
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    form = forms.ReferralForm(request.POST, org_types=_authority_types())
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_identification_url(case))
    try:
        services.refer_for_identification(
            actor=principal, case=case, request=request, **form.cleaned_data
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The referral to the competent authority was recorded."))
    return redirect(_identification_url(case))


@login_required
@require_POST
def reconsideration_create(request: HttpRequest, decision_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.IDENTIFICATION_RECORD)
    decision = access_decision(principal, decision_id)
    form = forms.ReconsiderationForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_identification_url(decision.case))
    try:
        services.request_reconsideration(
            actor=principal, decision=decision, request=request, **form.cleaned_data
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The request for reconsideration was recorded."))
    return redirect(_identification_url(decision.case))


@login_required
@require_POST
def reconsideration_decide(request: HttpRequest, reconsideration_id: Any) -> HttpResponse:
    principal = request_principal(request, Perm.IDENTIFICATION_RECORD)
    reconsideration = access_reconsideration(principal, reconsideration_id)
    case = reconsideration.decision.case
    form = forms.ReconsiderationOutcomeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_identification_url(case))
    try:
        services.decide_reconsideration(
            actor=principal, reconsideration=reconsideration, request=request, **form.cleaned_data
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The outcome of the reconsideration was recorded."))
    return redirect(_identification_url(case))


# Vulnerability assessment ------------------------------------------------------------------


@login_required
@require_POST
def assessment_start(request: HttpRequest, case_id: Any) -> HttpResponse:
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    try:
        assessment = services.start_assessment(actor=principal, case=case, request=request)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("screening:case-screenings", case.id)
    messages.success(request, _("The assessment was started."))
    return redirect("screening:assessment-detail", assessment.id)


def _factor_label(code: str, catalogue: rules.DomvCatalogue) -> str:
    if code in labels.FACTOR_LABELS:
        return str(labels.FACTOR_LABELS[code])
    return catalogue.factor(code).label


def _assessment_context(
    request: HttpRequest, assessment: VulnerabilityAssessment
) -> dict[str, Any]:
    catalogue = services.catalogue_for(assessment)
    answers = {a.factor: a for a in assessment.factor_answers.all()}
    profile = services.compute_profile(assessment)
    level_titles = {code: str(labels.LEVEL_TITLES.get(code, code)) for code in catalogue.levels}
    polarity_labels = dict(Polarity.choices)
    levels = []
    for level in catalogue.levels:
        factors = []
        for item in catalogue.factors:
            if item.level != level:
                continue
            answer = answers.get(item.code)
            factors.append(
                {
                    "code": item.code,
                    "label": _factor_label(item.code, catalogue),
                    "polarities": [
                        (
                            p,
                            polarity_labels.get(p, p),
                            str(labels.FACTOR_FRAMINGS.get(f"{item.code}:{p}", text)),
                        )
                        for p, text in item.framings.items()
                    ],
                    "polarity": answer.polarity if answer else item.default_polarity,
                    "present": answer.present if answer else "",
                    "harms": answer.harms if answer else [],
                    "evidence": answer.evidence if answer else "",
                    "observed_on": answer.observed_on if answer else None,
                }
            )
        count = profile.level(level)
        levels.append(
            {"code": level, "title": level_titles[level], "factors": factors, "count": count}
        )
    harm_labels = dict(Harm.choices)
    proposals = services.proposals(assessment)
    horizons = []
    horizon_titles = {
        "immediate": _("Immediate"),
        "medium": _("Medium term"),
        "long": _("Long term: community and structural programming (context, not case actions)"),
    }
    for horizon, items in rules.group_by_horizon(proposals).items():
        horizons.append(
            {
                "code": horizon,
                "title": horizon_titles.get(horizon, horizon),
                "responses": [
                    {
                        "code": p.code,
                        "label": services.response_label(p.code, catalogue),
                        "case_action": p.case_action,
                        "harms": [str(harm_labels.get(h, h)) for h in p.harms],
                        "factors": [_factor_label(f, catalogue) for f in p.factors],
                        "children_only": p.children_only,
                    }
                    for p in items
                ],
            }
        )
    principal = request_principal(request)
    events = list(assessment.events.all())
    for event in events:
        event.factor_label = _factor_label(event.factor, catalogue)  # type: ignore[attr-defined]
    return {
        "assessment": assessment,
        "case": assessment.case,
        "catalogue": catalogue,
        "levels": levels,
        "harm_counts": [
            {"label": harm_labels.get(h.harm, h.harm), "risk": h.risk, "protective": h.protective}
            for h in profile.harms
        ],
        "presence": Presence.choices,
        "harm_choices": Harm.choices,
        "horizons": horizons,
        "events": events,
        "event_form": forms.EventForm(
            factors=[(f.code, _factor_label(f.code, catalogue)) for f in catalogue.factors]
        ),
        "can_change": has_perm(principal, Perm.CASE_CHANGE) and not assessment.is_final,
        "can_amend": has_perm(principal, Perm.CASE_CHANGE) and assessment.is_final,
        "can_plan": has_perm(principal, Perm.CASE_CHANGE) and not assessment.case.is_closed,
        "child_missing": services.child_requirements(assessment.case),
    }


@login_required
def assessment_detail(request: HttpRequest, assessment_id: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_id)
    context = _assessment_context(request, assessment)
    context["approval"] = approvals.assessment_approval(assessment.case, assessment.id)
    return render(request, "screening/assessment_detail.html", context)


@login_required
@require_POST
def assessment_answer(request: HttpRequest, assessment_id: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_id, for_write=True)
    form = forms.FactorForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.answer_factor(
                actor=request_principal(request),
                assessment=assessment,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            error = " ".join(_errors(exc))
        else:
            messages.success(request, _("The answer was saved."))
    elif request.POST.get("present"):
        error = _("Check the factor's answers: one of them is not valid.")
    elif not _is_htmx(request):
        # With HTMX, a polarity chosen before presence is simply not saved yet.
        error = _("Say whether the factor is present: yes, no or unknown.")
    if _is_htmx(request):
        context = _assessment_context(request, assessment)
        context["error"] = error
        return render(request, "screening/partials/_profile.html", context)
    if error:
        messages.error(request, error)
    return redirect("screening:assessment-detail", assessment.id)


@login_required
@require_POST
def assessment_event(request: HttpRequest, assessment_id: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_id, for_write=True)
    catalogue = services.catalogue_for(assessment)
    form = forms.EventForm(request.POST, factors=[(f.code, f.code) for f in catalogue.factors])
    if form.is_valid():
        try:
            services.add_situational_event(
                actor=request_principal(request),
                assessment=assessment,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("The event was recorded."))
    else:
        messages.error(request, _("Choose the factor, the date and say what happened."))
    return redirect("screening:assessment-detail", assessment.id)


@login_required
@require_POST
def assessment_finalise(request: HttpRequest, assessment_id: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_id, for_write=True)
    try:
        services.finalise_assessment(
            actor=request_principal(request), assessment=assessment, request=request
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The assessment is final."))
    return redirect("screening:assessment-detail", assessment.id)


@login_required
@require_POST
def assessment_amend(request: HttpRequest, assessment_id: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_id, for_write=True)
    try:
        draft = services.amend_assessment(
            actor=request_principal(request), assessment=assessment, request=request
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("screening:assessment-detail", assessment.id)
    messages.success(request, _("A new draft amends the assessment; the final one is kept."))
    return redirect("screening:assessment-detail", draft.id)


@login_required
@require_POST
def assessment_plan(request: HttpRequest, assessment_id: Any) -> HttpResponse:
    assessment = _assessment(request, assessment_id, for_write=True)
    codes = [p.code for p in services.proposals(assessment)]
    form = forms.PlanForm(request.POST, codes=codes)
    chosen = form.cleaned_data["responses"] if form.is_valid() else []
    try:
        items = services.plan_from_proposals(
            actor=request_principal(request),
            assessment=assessment,
            response_codes=chosen,
            request=request,
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        if items:
            messages.success(
                request,
                _("Added to the case plan: %(actions)s.")
                % {"actions": ", ".join(i.shown_action for i in items)},
            )
        else:
            messages.info(request, _("These responses are already in the case plan."))
    return redirect("screening:assessment-detail", assessment.id)

"""The case page's household and best-interests section: the household of the case's person,
the child's guardians, and the best-interests assessments and determinations, with their forms.

The household comes from the people app's reads (a link shows only when the user may see both
members); the forms post to salama.cases.best_interests_views.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.cases import best_interests
from salama.cases.best_interests_models import (
    TEXT_LENGTH,
    AssessmentStatus,
    BestInterestsAssessment,
    PanelRole,
    Solution,
)
from salama.cases.models import Case
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm
from salama.people import queries as people_queries
from salama.people.household_models import Relationship

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OPEN_HOUSEHOLD = "household"


def _text(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=TEXT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssessmentForm(forms.Form):
    """A best-interests assessment under the UNHCR headings."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    assessed_on = forms.DateField(label=_("Date of the assessment"), widget=DATE_WIDGET)
    child_views_heard = forms.BooleanField(label=_("The child's views were heard"), required=False)
    views_how = _text(_("How the child was heard, and what they said"))
    safety = _text(_("Safety and risks"))
    family = _text(_("Family situation and close relationships"))
    health = _text(_("Health and development"))
    education = _text(_("Education"))
    identity = _text(_("Identity, culture, language and religion"))
    recommendations = _text(_("Recommendations"))
    complete = forms.BooleanField(
        label=_("The assessment is complete"),
        required=False,
        help_text=_("A completed assessment can no longer be changed; a panel may then decide."),
    )

    def to_input(self) -> best_interests.AssessmentInput:
        data = self.cleaned_data
        return best_interests.AssessmentInput(
            assessed_on=data["assessed_on"],
            child_views_heard=data["child_views_heard"],
            **{f: data[f] for f in BestInterestsAssessment.TEXT_FIELDS},
        )


class DeterminationForm(forms.Form):
    assessment = forms.ChoiceField(label=_("Completed assessment"))
    decided_on = forms.DateField(label=_("Date of the panel's decision"), widget=DATE_WIDGET)
    panel = forms.MultipleChoiceField(
        label=_("Panel members (by role)"),
        choices=PanelRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=Solution.choices)
    reasons = forms.CharField(
        label=_("Reasons"), max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, completed: list[BestInterestsAssessment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [
            (str(a.pk), a.assessed_on.isoformat()) for a in completed
        ]


def _assessment_initial(a: BestInterestsAssessment) -> dict[str, Any]:
    return {
        "version": a.version,
        "assessed_on": a.assessed_on,
        "child_views_heard": a.child_views_heard,
        **{f: getattr(a, f) for f in BestInterestsAssessment.TEXT_FIELDS},
    }


def best_interests_context(
    request: HttpRequest, principal: Principal, case: Case, bound: dict[str, Any]
) -> dict[str, Any]:
    """Context for cases/partials/_household.html."""
    person = case.person
    readable = has_perm(principal, Perm.PERSON_VIEW) and not person.is_erased
    if not readable:
        return {"household_readable": False}
    is_child = best_interests.case_is_for_child(case)
    household = [
        {**row, "relationship_label": Relationship(row["relationship"]).label}
        for row in people_queries.household_of(principal, person)
    ]
    assessments = list(case.best_interests_assessments.select_related("assessed_by"))
    for a in assessments:
        a.case = case
    determinations = list(
        case.best_interests_determinations.select_related("recorded_by", "assessment")
    )
    for d in determinations:
        d.case = case
    completed = [a for a in assessments if a.status == AssessmentStatus.COMPLETED]
    open_for_work = not case.is_closed
    can_assess = is_child and open_for_work and has_perm(principal, Perm.CASE_CHANGE)
    drafts = [
        {
            "assessment": a,
            "form": bound.get(f"bia-{a.pk}")
            or AssessmentForm(initial=_assessment_initial(a), prefix=f"bia-{a.pk}"),
        }
        for a in assessments
        if a.status == AssessmentStatus.DRAFT
    ]
    return {
        "household_readable": True,
        "household_open": bound.get("open") == OPEN_HOUSEHOLD
        or request.GET.get("open") == OPEN_HOUSEHOLD
        or any(k.startswith("bia") or k == "bid" for k in bound),
        "case_household": household,
        "case_guardians": people_queries.guardians_of(principal, person),
        "case_is_child": is_child,
        "bia_list": assessments,
        "bia_drafts": drafts,
        "bid_list": determinations,
        "can_assess": can_assess,
        "can_determine": can_assess and bool(completed) and has_perm(principal, Perm.CASE_APPROVE),
        "bia_form": bound.get("bia")
        or AssessmentForm(initial={"assessed_on": timezone.localdate()}, prefix="bia"),
        "bid_form": bound.get("bid")
        or DeterminationForm(
            completed=completed, initial={"decided_on": timezone.localdate()}, prefix="bid"
        ),
    }

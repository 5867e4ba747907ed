"""Who may see and work a case.

A case is visible to its organisation's supervisors (case.view_all) and to the caseworker it is
assigned to. Referral recipients never see cases, only referral packets (salama.referrals.access).
Notes, files, tasks and plan items are reached through their case.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from salama.cases.best_interests_models import BestInterestsAssessment, BestInterestsDetermination
from salama.cases.models import (
    ApprovalRequest,
    Case,
    ExploitationRecord,
    Perpetrator,
    ReassignmentRequest,
)
from salama.core.policy import (
    NotPermitted,
    Principal,
    ensure,
    get_or_404,
    has_perm,
    in_organisation,
    register,
)
from salama.core.roles import Perm


def visible_cases(principal: Principal | None) -> QuerySet[Case]:
    if not in_organisation(principal) or not has_perm(principal, Perm.CASE_VIEW):
        return Case.objects.none()
    assert principal is not None
    qs = Case.objects.filter(organisation=principal.organisation)
    if has_perm(principal, Perm.CASE_VIEW_ALL):
        return qs
    return qs.filter(assigned_to=principal.user)


def through_visible_case(
    principal: Principal | None, *, path: str = "case", cases: QuerySet[Case] | None = None
) -> Exists:
    """A filter for records reached through a case: the record's case (at `path`) is one the
    principal may see (or one of `cases`, a narrowing of visible_cases).

    A correlated EXISTS, not ``case__in=visible_cases(...)``: SQLite answers an IN over a
    subquery by first listing every visible case (a million ids for a supervisor of a large
    organisation, hundreds of milliseconds), where EXISTS looks up each record's own case by its
    key; PostgreSQL plans both as the same semi-join.
    """
    narrowed = visible_cases(principal) if cases is None else cases
    return Exists(narrowed.filter(pk=OuterRef(path)))


def access_case(principal: Principal | None, case_id: Any, *, for_write: bool = False) -> Case:
    case = get_or_404(visible_cases(principal).select_related("person__data_key"), id=case_id)
    if for_write and not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    return case


def visible_case_content(principal: Principal | None) -> QuerySet[Case]:
    """Cases whose notes, files and timeline the principal may read: visible ones, with
    person.view besides (what is written on a case is identifying data about the person)."""
    if not has_perm(principal, Perm.PERSON_VIEW):
        return Case.objects.none()
    return visible_cases(principal)


def access_case_content(principal: Principal | None, case_id: Any) -> Case:
    """A case to read the notes and files of; 404 when missing, not visible or without
    person.view."""
    return get_or_404(
        visible_case_content(principal).select_related("person__data_key"), id=case_id
    )


def ensure_case(actor: Principal | None, case: Case, *perms: str) -> None:
    """Services: refuse unless the actor may see `case` and holds every one of `perms`."""
    ensure(actor, case, *perms)


def ensure_case_content(actor: Principal | None, case: Case, *perms: str) -> None:
    """Notes and files are identifying data about the person: reading them needs person.view too."""
    ensure(actor, case, Perm.PERSON_VIEW, *perms)


def ensure_reassignment(actor: Principal | None, reassignment: ReassignmentRequest) -> None:
    if reassignment.case_id is None:
        raise NotPermitted
    ensure(actor, reassignment.case, Perm.CASE_APPROVE)


# The exploitation record and perpetrators --------------------------------------------------------
# The record (codes and countries) is seen with its case. Perpetrators are identifying data about
# third parties that the person gave, so, like notes, they need person.view besides; recipients
# of referrals never see either (they see no case at all).


def visible_exploitation_records(principal: Principal | None) -> QuerySet[ExploitationRecord]:
    return ExploitationRecord.objects.filter(through_visible_case(principal))


def visible_perpetrators(principal: Principal | None) -> QuerySet[Perpetrator]:
    return Perpetrator.objects.filter(
        through_visible_case(principal, cases=visible_case_content(principal))
    )


def access_case_perpetrators(
    principal: Principal | None, case_id: Any, *, for_write: bool = False
) -> Case:
    """A case whose perpetrators the principal may read (or, `for_write`, change): visible,
    with person.view (and case.change); 404 otherwise."""
    case = access_case_content(principal, case_id)
    if for_write and not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    return case


def access_perpetrator(case: Case, perpetrator_id: Any) -> Perpetrator:
    """One perpetrator of a case already fetched through access_case_perpetrators (404 if not
    on it)."""
    perpetrator = get_or_404(case.perpetrators.select_related("data_key"), id=perpetrator_id)
    perpetrator.case = case
    return perpetrator


def ensure_perpetrator(actor: Principal | None, perpetrator: Perpetrator, *perms: str) -> None:
    """Services: refuse unless the actor may read the perpetrator's case content and holds
    `perms`."""
    if perpetrator.case_id is None:
        raise NotPermitted
    ensure_case_content(actor, perpetrator.case, *perms)


# Best interests of a child (docs/domain.md#best-interests-of-the-child) ----------------------------
# What an assessment says is identifying data about the child: read with the case's content
# (person.view besides); recording a determination needs case.approve (supervisors).


def visible_best_interests_assessments(
    principal: Principal | None,
) -> QuerySet[BestInterestsAssessment]:
    return BestInterestsAssessment.objects.filter(
        through_visible_case(principal, cases=visible_case_content(principal))
    )


def visible_best_interests_determinations(
    principal: Principal | None,
) -> QuerySet[BestInterestsDetermination]:
    return BestInterestsDetermination.objects.filter(
        through_visible_case(principal, cases=visible_case_content(principal))
    )


def access_case_best_interests(
    principal: Principal | None, case_id: Any, *, for_write: bool = False
) -> Case:
    """A case whose best-interests records the principal may read (or, `for_write`, add to)."""
    case = access_case_content(principal, case_id)
    if for_write and not has_perm(principal, Perm.CASE_CHANGE):
        raise Http404("Not found")
    return case


def access_best_interests_assessment(case: Case, assessment_id: Any) -> BestInterestsAssessment:
    """One assessment of a case already fetched through access_case_best_interests."""
    assessment = get_or_404(case.best_interests_assessments.all(), id=assessment_id)
    assessment.case = case
    return assessment


# Supervision approvals ---------------------------------------------------------------------------
# Seen and decided by those who approve for the case's organisation (case.approve); the caseworker
# sees the approvals of their own case on its page.


def visible_approvals(principal: Principal | None) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(through_visible_case(principal))


def register_rules() -> None:
    register(Case, visible_cases)
    register(ExploitationRecord, visible_exploitation_records)
    register(Perpetrator, visible_perpetrators)
    register(BestInterestsAssessment, visible_best_interests_assessments)
    register(BestInterestsDetermination, visible_best_interests_determinations)
    register(ApprovalRequest, visible_approvals)

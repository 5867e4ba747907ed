"""Who may see field forms, devices and submissions.

Forms and app users are managed by their organisation's form managers (supervisors and
organisation administrators: ``forms.manage``); a form definition holds no personal data.
Submissions hold answers about a person, so only those who may register persons in the form's
organisation (caseworkers and supervisors) see them, and they act only on their own
organisation's. Anyone else gets a 404, never a hint that a record exists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from salama.core.policy import Principal, ensure, get_or_404, has_perm, in_organisation, register
from salama.core.roles import Perm
from salama.fieldforms.models import AppUser, FieldForm, FormVersion, Submission

REVIEW_PERM = Perm.PERSON_CREATE


def _org(principal: Principal | None, perm: str) -> int | None:
    if principal is None or not in_organisation(principal) or not has_perm(principal, perm):
        return None
    return int(principal.organisation.pk)


def visible_forms(principal: Principal | None) -> QuerySet[FieldForm]:
    org = _org(principal, Perm.FORMS_MANAGE)
    return FieldForm.objects.filter(organisation_id=org) if org else FieldForm.objects.none()


def visible_versions(principal: Principal | None) -> QuerySet[FormVersion]:
    org = _org(principal, Perm.FORMS_MANAGE)
    if not org:
        return FormVersion.objects.none()
    return FormVersion.objects.filter(form__organisation_id=org).select_related("form")


def visible_app_users(principal: Principal | None) -> QuerySet[AppUser]:
    org = _org(principal, Perm.FORMS_MANAGE)
    return AppUser.objects.filter(organisation_id=org) if org else AppUser.objects.none()


def visible_submissions(principal: Principal | None) -> QuerySet[Submission]:
    org = _org(principal, REVIEW_PERM)
    if not org:
        return Submission.objects.none()
    return Submission.objects.filter(organisation_id=org).select_related(
        "form_version__form", "app_user"
    )


def access_form(principal: Principal | None, form_id: Any) -> FieldForm:
    return get_or_404(visible_forms(principal), pk=form_id)


def access_version(principal: Principal | None, version_id: Any) -> FormVersion:
    return get_or_404(visible_versions(principal), pk=version_id)


def access_app_user(principal: Principal | None, app_user_id: Any) -> AppUser:
    return get_or_404(visible_app_users(principal), pk=app_user_id)


def access_submission(principal: Principal | None, submission_id: Any) -> Submission:
    return get_or_404(visible_submissions(principal), pk=submission_id)


def ensure_form_manager(actor: Principal | None, record: FieldForm | FormVersion | AppUser) -> None:
    ensure(actor, record, Perm.FORMS_MANAGE)


def ensure_reviewer(actor: Principal | None, submission: Submission) -> None:
    ensure(actor, submission, REVIEW_PERM, Perm.CASE_CREATE)


def register_rules() -> None:
    register(FieldForm, visible_forms)
    register(FormVersion, visible_versions)
    register(AppUser, visible_app_users)
    register(Submission, visible_submissions)

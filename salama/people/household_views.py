"""The person page's household forms (posted here, shown by the person page)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.core.errors import ConflictError
from salama.core.policy import get_or_404, request_principal
from salama.core.ratelimit import allow_search
from salama.core.roles import Perm
from salama.people import household, queries
from salama.people.access import (
    access_guardian,
    access_household_link,
    access_person,
    visible_people,
)
from salama.people.forms import apply_errors
from salama.people.household_page import (
    SEARCH_PARAM,
    GuardianForm,
    HouseholdSearchForm,
    LinkForm,
    RemoveForm,
)
from salama.people.models import Person
from salama.people.views import _detail_context


def _back(person: Person) -> HttpResponse:
    return redirect(f"{person.get_absolute_url()}#household")


def _page_with(request: HttpRequest, person: Person, **bound: object) -> HttpResponse:
    """The person page again, with the refused form and its errors."""
    principal = request_principal(request, Perm.PERSON_VIEW)
    context = _detail_context(request, principal, person, **bound)
    return render(request, "people/person_detail.html", context, status=400)


def _remove(
    request: HttpRequest, person: Person, call: Callable[[int], None], success: str
) -> HttpResponse:
    form = RemoveForm(request.POST)
    if not form.is_valid():
        return _page_with(request, person)
    try:
        call(form.cleaned_data["version"])
    except ConflictError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, success)
    return _back(person)


@login_required
@require_POST
def household_search(request: HttpRequest, person_id: str) -> HttpResponse:
    """The person page with the persons (the user may see) matching a name, to link one."""
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    form = HouseholdSearchForm(request.POST)
    query = form.cleaned_data[SEARCH_PARAM].strip() if form.is_valid() else ""
    if query and not allow_search(principal.user.pk):
        return HttpResponse(
            _("Too many searches in a minute. Wait a moment and search again."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    context = _detail_context(request, principal, person, household_query=query)
    return render(request, "people/person_detail.html", context)


@login_required
@require_POST
def household_link_add(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    form = LinkForm(request.POST)
    if form.is_valid():
        other = get_or_404(visible_people(principal), id=form.cleaned_data["other"])
        try:
            household.link_household(
                actor=principal,
                person=person,
                other=other,
                relationship=form.cleaned_data["relationship"],
                notes=form.cleaned_data["notes"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The household link was recorded."))
            return _back(person)
    return _page_with(request, person, link_form=form)


@login_required
@require_POST
def household_link_remove(request: HttpRequest, person_id: str, link_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    link = access_household_link(person, principal, link_id)
    return _remove(
        request,
        person,
        lambda version: household.unlink_household(
            actor=principal, link=link, expected_version=version, request=request
        ),
        _("The household link was removed."),
    )


@login_required
@require_POST
def guardian_add(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    members = [row["member"] for row in queries.household_of(principal, person)]
    form = GuardianForm(request.POST, members=members)
    if form.is_valid():
        data = form.cleaned_data
        chosen = None
        if data["guardian_person"]:
            chosen = get_or_404(visible_people(principal), id=data["guardian_person"])
        try:
            household.set_guardian(
                actor=principal,
                child=person,
                kind=data["kind"],
                guardian_person=chosen,
                name=data["name"],
                contact=data["contact"],
                appointed_by=data["appointed_by"],
                appointed_on=data["appointed_on"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The guardian was recorded."))
            return _back(person)
    return _page_with(request, person, guardian_form=form)


@login_required
@require_POST
def guardian_remove(request: HttpRequest, person_id: str, guardian_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    guardian = access_guardian(person, principal, guardian_id)
    return _remove(
        request,
        person,
        lambda version: household.remove_guardian(
            actor=principal, guardian=guardian, expected_version=version, request=request
        ),
        _("The guardian record was removed."),
    )

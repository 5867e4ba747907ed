"""The person page's household section: linked members, guardians, and their forms.

Reads go through salama.people.queries (a link shows only when the user may see both members);
the forms post to salama.people.household_views.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm
from salama.people import household, queries
from salama.people.household_models import GuardianKind, Relationship
from salama.people.models import Person

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SEARCH_PARAM = "household_q"


class HouseholdSearchForm(forms.Form):
    household_q = forms.CharField(
        label=_("Find a person to link"),
        max_length=200,
        required=False,
        help_text=_("A name, document or phone number of someone you may see in the registry."),
    )


class LinkForm(forms.Form):
    other = forms.UUIDField(widget=forms.HiddenInput)
    relationship = forms.ChoiceField(
        label=_("This person is the … of them"), choices=Relationship.choices
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        max_length=household.NOTES_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RemoveForm(forms.Form):
    """Removing a link or a guardian record carries the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class GuardianForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of guardian"), choices=GuardianKind.choices)
    guardian_person = forms.ChoiceField(
        label=_("A household member"),
        required=False,
        help_text=_(
            "Choose a linked member, or give a name below for someone outside the registry."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=household.NAME_LENGTH, required=False)
    contact = forms.CharField(
        label=_("Contact (phone, address)"), max_length=household.CONTACT_LENGTH, required=False
    )
    appointed_by = forms.CharField(
        label=_("Appointed by (court, authority)"),
        max_length=household.APPOINTED_BY_LENGTH,
        required=False,
    )
    appointed_on = forms.DateField(label=_("Appointed on"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, members: list[Person] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guardian_person"].choices = [("", "—")] + [
            (str(m.pk), m.full_name or m.short_id) for m in (members or [])
        ]


def household_context(
    request: HttpRequest, principal: Principal, person: Person, **bound: Any
) -> dict[str, Any]:
    """Context for people/partials/_household.html."""
    members = [
        {**row, "relationship_label": Relationship(row["relationship"]).label}
        for row in queries.household_of(principal, person)
    ]
    guardians = queries.guardians_of(principal, person)
    can_change = has_perm(principal, Perm.PERSON_CHANGE) and not person.is_erased
    # The search is posted (names never travel in URLs): salama.people.household_views.
    query = str(bound.get("household_query") or "").strip()[:200]
    search = HouseholdSearchForm(initial={SEARCH_PARAM: query})
    results: list[Any] = []
    if can_change and query:
        linked = {row["member"].pk for row in members} | {person.pk}
        results = [
            hit.person
            for hit in queries.find_people(principal, query, request=request)
            if hit.person.pk not in linked
        ]
    member_people = [row["member"] for row in members]
    return {
        "household": members,
        "guardians": guardians,
        "is_child": household.is_child(person),
        "can_change_household": can_change,
        "household_search": search,
        "household_query": query,
        "household_results": results,
        "link_form": bound.get("link_form") or LinkForm(),
        "guardian_form": bound.get("guardian_form") or GuardianForm(members=member_people),
    }

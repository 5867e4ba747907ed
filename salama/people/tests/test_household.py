"""Households: a link never shows one member's data to someone who may not see the other."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import principal, verified_client
from salama.accounts.models import Organisation, User
from salama.cases import services as cases
from salama.cases.models import Case
from salama.core.models import AuditEntry
from salama.people import household
from salama.people import services as people
from salama.people.household_models import Guardian, HouseholdLink
from salama.people.models import CONSENT_CHECKLIST, Person

pytestmark = pytest.mark.django_db

CHECKLIST = {key: True for key, _label in CONSENT_CHECKLIST}


@dataclass
class Family:
    mother: Person
    son: Person
    daughter: Person
    mother_case: Case
    son_case: Case
    daughter_case: Case


def make_family(caseworker: User) -> Family:
    actor = principal(caseworker)

    def person(given: str, born: dt.date) -> Person:
        return people.register_person(
            actor=actor, given_name=given, family_name="Tesfaye", date_of_birth=born
        )

    mother = person("Selamawit", dt.date(1990, 3, 1))
    son = person("Dawit", dt.date(2015, 6, 9))
    daughter = person("Hanna", dt.date(2019, 1, 20))
    kases = [
        cases.open_case(actor=actor, person=p, case_type="trafficking")
        for p in (mother, son, daughter)
    ]
    household.link_household(actor=actor, person=mother, other=son, relationship="parent")
    household.link_household(
        actor=actor, person=mother, other=daughter, relationship="parent", notes="Lives with her"
    )
    household.link_household(actor=actor, person=son, other=daughter, relationship="sibling")
    return Family(mother, son, daughter, *kases)


def transfer_to(
    case: Case, supervisor: User, to_org: Organisation, receiver: User, assign_to: User
) -> None:
    """Hand `case` to another organisation, as a case transfer does (with the person's consent)."""
    from salama.referrals import services as referrals

    people.record_consent(
        actor=principal(supervisor),
        person=case.person,
        purpose="referral",
        method="child_assent",
        guardian_name="Selamawit Tesfaye",
        given_on=timezone.localdate(),
        checklist=CHECKLIST,
        recipient=to_org,
    )
    transfer = referrals.request_transfer(
        actor=principal(supervisor),
        case=case,
        to_org=to_org,
        packet_fields=["name"],
        reason="The family moved",
        open_items="keep",
    )
    referrals.accept_transfer(actor=principal(receiver), transfer=transfer, assign_to=assign_to)


# Who sees a link ------------------------------------------------------------------------------


def test_the_case_team_sees_each_member_with_what_they_are_to_the_person(caseworker_a):
    family = make_family(caseworker_a)
    client = verified_client(caseworker_a)
    page = client.get(f"/people/{family.son.pk}/").content.decode()
    assert "Selamawit" in page and "Hanna" in page
    body = client.get(f"/api/v1/people/{family.son.pk}/household").json()
    relations = {m["name"]: m["relationship"] for m in body["members"]}
    assert relations == {"Selamawit Tesfaye": "parent", "Hanna Tesfaye": "sibling"}
    mother = client.get(f"/api/v1/people/{family.mother.pk}/household").json()
    assert {m["relationship"] for m in mother["members"]} == {"child"}
    assert "Lives with her" in json.dumps(mother)


def test_another_organisation_reaches_neither_the_persons_nor_their_links(
    caseworker_a, supervisor_b
):
    family = make_family(caseworker_a)
    client = verified_client(supervisor_b)
    assert client.get(f"/people/{family.son.pk}/").status_code == 404
    assert client.get(f"/api/v1/people/{family.son.pk}/household").status_code == 404
    link = HouseholdLink.objects.get(person=family.mother, other=family.son)
    url = f"/people/{family.son.pk}/household/{link.pk}/remove/"
    assert client.post(url, {"version": 1}).status_code == 404
    assert HouseholdLink.objects.filter(pk=link.pk).exists()


def test_a_household_link_never_shows_a_member_the_user_may_not_see(
    caseworker_a, supervisor_a, supervisor_b, caseworker_b
):
    """The son's case goes to organisation B: B sees the son and nothing of his mother or sister;
    A no longer sees the son, and his mother's page shows the daughter only."""
    family = make_family(caseworker_a)
    transfer_to(
        family.son_case,
        supervisor_a,
        supervisor_b.memberships.first().organisation,
        supervisor_b,
        caseworker_b,
    )

    b = verified_client(caseworker_b)
    page = b.get(f"/people/{family.son.pk}/").content.decode()
    assert "Dawit" in page
    assert "Selamawit" not in page and "Hanna" not in page
    assert "No household member you may see." in page
    body = b.get(f"/api/v1/people/{family.son.pk}/household").json()
    assert body["members"] == []
    assert "Selamawit" not in json.dumps(body) and "Hanna" not in json.dumps(body)
    son_case = Case.objects.get(pk=family.son_case.pk)
    case_page = b.get(f"/cases/{son_case.pk}/").content.decode()
    assert "Selamawit" not in case_page and "Hanna" not in case_page
    link = HouseholdLink.objects.get(person=family.mother, other=family.son)
    remove = f"/people/{family.son.pk}/household/{link.pk}/remove/"
    assert b.post(remove, {"version": 1}).status_code == 404
    api_remove = f"/api/v1/people/{family.son.pk}/household/links/{link.pk}?version=1"
    assert b.delete(api_remove).status_code == 404

    a = verified_client(supervisor_a)
    mother_page = a.get(f"/people/{family.mother.pk}/").content.decode()
    assert "Hanna" in mother_page and "Dawit" not in mother_page
    mother = a.get(f"/api/v1/people/{family.mother.pk}/household").json()
    assert [m["name"] for m in mother["members"]] == ["Hanna Tesfaye"]
    mother_case = a.get(f"/cases/{family.mother_case.pk}/").content.decode()
    assert "Hanna" in mother_case and "Dawit" not in mother_case


def test_a_caseworker_sees_links_only_to_persons_of_their_own_cases(caseworker_a, caseworker2_a):
    family = make_family(caseworker_a)
    # The daughter's case is handed to a colleague: caseworker A no longer sees her.
    Case.objects.filter(pk=family.daughter_case.pk).update(assigned_to=caseworker2_a)
    body = verified_client(caseworker_a).get(f"/api/v1/people/{family.mother.pk}/household").json()
    assert [m["name"] for m in body["members"]] == ["Dawit Tesfaye"]
    assert (
        verified_client(caseworker2_a)
        .get(f"/api/v1/people/{family.daughter.pk}/household")
        .json()["members"]
        == []
    )


def test_a_referral_packet_never_carries_household_members(caseworker_a, ngo_b):
    from salama.referrals import rules
    from salama.referrals import services as referrals
    from salama.referrals.models import Service

    family = make_family(caseworker_a)
    household.set_guardian(
        actor=principal(caseworker_a), child=family.son, kind="relative", name="Yonas Abebe"
    )
    service = Service.objects.create(
        provider=referrals.ensure_provider(ngo_b),
        name="B shelter",
        service_type="accommodation",
        country="KE",
    )
    people.record_consent(
        actor=principal(caseworker_a),
        person=family.son,
        purpose="referral",
        method="child_assent",
        guardian_name="Selamawit Tesfaye",
        given_on=timezone.localdate(),
        checklist=CHECKLIST,
        recipient=ngo_b,
    )
    referral = referrals.send_referral(
        actor=principal(caseworker_a),
        case=family.son_case,
        service=service,
        packet_fields=list(rules.PACKET_KEYS),
        purpose_note="A safe place",
        needs_note="Needs a bed",
    )
    packet = json.dumps(referral.packet)
    assert "Dawit" in packet
    for other in ("Selamawit", "Hanna", "Yonas", str(family.mother.pk), str(family.daughter.pk)):
        assert other not in packet


# The rules of a link and a guardian ---------------------------------------------------------


def test_a_link_is_recorded_once_per_pair_in_either_direction(caseworker_a):
    family = make_family(caseworker_a)
    with pytest.raises(ValidationError, match="already linked"):
        household.link_household(
            actor=principal(caseworker_a),
            person=family.son,
            other=family.mother,
            relationship="child",
        )
    with pytest.raises(ValidationError, match="themself"):
        household.link_household(
            actor=principal(caseworker_a), person=family.son, other=family.son, relationship="other"
        )


def test_linking_needs_both_persons_to_be_visible(caseworker_a, caseworker_b):
    family = make_family(caseworker_a)
    stranger = people.register_person(actor=principal(caseworker_b), given_name="Omar")
    with pytest.raises(PermissionDenied):
        household.link_household(
            actor=principal(caseworker_a),
            person=family.son,
            other=stranger,
            relationship="relative",
        )
    with pytest.raises(PermissionDenied):
        household.link_household(
            actor=principal(caseworker_b),
            person=stranger,
            other=family.son,
            relationship="relative",
        )


def test_a_guardian_is_recorded_for_a_child_only(caseworker_a):
    family = make_family(caseworker_a)
    actor = principal(caseworker_a)
    with pytest.raises(ValidationError, match="child only"):
        household.set_guardian(actor=actor, child=family.mother, kind="relative", name="Someone")
    with pytest.raises(ValidationError, match="not both"):
        household.set_guardian(
            actor=actor, child=family.son, kind="parent", guardian_person=family.mother, name="X"
        )
    guardian = household.set_guardian(
        actor=actor, child=family.son, kind="parent", guardian_person=family.mother
    )
    assert guardian.guardian_person == family.mother


def test_a_guardian_from_the_registry_is_hidden_from_whoever_may_not_see_them(
    caseworker_a, supervisor_a, supervisor_b, caseworker_b
):
    family = make_family(caseworker_a)
    household.set_guardian(
        actor=principal(caseworker_a),
        child=family.son,
        kind="parent",
        guardian_person=family.mother,
    )
    household.set_guardian(
        actor=principal(caseworker_a),
        child=family.son,
        kind="legal_guardian",
        name="Meron Alemu",
        contact="+251 911 000 000",
        appointed_by="Family court",
        appointed_on=dt.date(2025, 2, 1),
    )
    transfer_to(
        family.son_case,
        supervisor_a,
        supervisor_b.memberships.first().organisation,
        supervisor_b,
        caseworker_b,
    )
    body = verified_client(caseworker_b).get(f"/api/v1/people/{family.son.pk}/household").json()
    assert [g["name"] for g in body["guardians"]] == ["Meron Alemu"]
    assert "Selamawit" not in json.dumps(body)


def test_household_changes_are_audited_on_both_persons_without_the_notes(caseworker_a):
    family = make_family(caseworker_a)
    entries = AuditEntry.objects.filter(action="person.household_link")
    assert entries.count() == 3 * 2
    noted = entries.get(
        object_id=str(HouseholdLink.objects.get(other=family.daughter, person=family.mother).pk),
        changes__relationship__1="parent",
    )
    assert "notes" in noted.fields
    assert "Lives with her" not in json.dumps(noted.changes)
    link = HouseholdLink.objects.get(person=family.son, other=family.daughter)
    household.unlink_household(actor=principal(caseworker_a), link=link)
    assert AuditEntry.objects.filter(action="person.household_unlink").count() == 2


def test_erasing_a_person_removes_their_links_and_guardian_records(caseworker_a, supervisor_a):
    family = make_family(caseworker_a)
    household.set_guardian(
        actor=principal(caseworker_a),
        child=family.son,
        kind="parent",
        guardian_person=family.mother,
    )
    household.set_guardian(
        actor=principal(caseworker_a), child=family.daughter, kind="relative", name="Aunt Tsion"
    )
    people.erase_person(
        actor=principal(supervisor_a), person=family.mother, reason="person_request"
    )
    assert not HouseholdLink.objects.filter(person=family.mother).exists()
    assert not HouseholdLink.objects.filter(other=family.mother).exists()
    assert not Guardian.objects.filter(guardian_person=family.mother).exists()
    assert HouseholdLink.objects.filter(person=family.son, other=family.daughter).exists()
    people.erase_person(
        actor=principal(supervisor_a), person=family.daughter, reason="person_request"
    )
    assert not Guardian.objects.filter(child=family.daughter).exists()
    assert not HouseholdLink.objects.exists()


# Pages and API --------------------------------------------------------------------------------


def test_the_person_page_links_a_member_found_by_search(caseworker_a, caseworker_b):
    actor = principal(caseworker_a)
    child = people.register_person(
        actor=actor, given_name="Lidya", family_name="Bekele", date_of_birth=dt.date(2017, 1, 1)
    )
    aunt = people.register_person(
        actor=actor, given_name="Almaz", family_name="Girma", date_of_birth=dt.date(1985, 1, 1)
    )
    namesake = people.register_person(
        actor=principal(caseworker_b), given_name="Almaz", family_name="Girma"
    )
    client = verified_client(caseworker_a)
    found = client.post(f"/people/{child.pk}/household/search/", {"household_q": "Almaz Girma"})
    page = found.content.decode()
    assert page.count('name="other"') == 1 and str(namesake.pk) not in page
    assert f'name="other" value="{aunt.pk}"' in page
    response = client.post(
        f"/people/{child.pk}/household/", {"other": str(aunt.pk), "relationship": "relative"}
    )
    assert response.status_code == 302
    link = HouseholdLink.objects.get(person=child, other=aunt)
    response = client.post(
        f"/people/{child.pk}/guardians/", {"kind": "relative", "guardian_person": str(aunt.pk)}
    )
    assert response.status_code == 302
    assert Guardian.objects.get(child=child).guardian_person == aunt
    page = client.get(f"/people/{child.pk}/").content.decode()
    assert "Almaz" in page
    remove = f"/people/{child.pk}/household/{link.pk}/remove/"
    assert client.post(remove, {"version": link.version}).status_code == 302
    assert not HouseholdLink.objects.exists()


def test_the_page_refuses_a_guardian_without_a_name_and_says_why(caseworker_a):
    child = people.register_person(
        actor=principal(caseworker_a), given_name="Lidya", estimated_age=9
    )
    response = verified_client(caseworker_a).post(
        f"/people/{child.pk}/guardians/", {"kind": "relative"}
    )
    assert response.status_code == 400
    assert "Give the guardian&#x27;s name" in response.content.decode()


def test_the_api_links_and_unlinks_and_records_a_guardian(caseworker_a):
    actor = principal(caseworker_a)
    child = people.register_person(actor=actor, given_name="Lidya", estimated_age=9)
    father = people.register_person(actor=actor, given_name="Tekle", estimated_age=40)
    client = verified_client(caseworker_a)
    base = f"/api/v1/people/{child.pk}/household"
    response = client.post(
        f"{base}/links",
        {"other": str(father.pk), "relationship": "child"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["members"][0]["relationship"] == "parent"
    again = client.post(
        f"{base}/links",
        {"other": str(father.pk), "relationship": "child"},
        content_type="application/json",
    )
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "other"
    guardian = client.post(
        f"{base}/guardians",
        {"kind": "parent", "guardian_person": str(father.pk)},
        content_type="application/json",
    )
    assert guardian.status_code == 201, guardian.content
    assert guardian.json()["name"] == "Tekle"
    gid = guardian.json()["id"]
    assert client.delete(f"{base}/guardians/{gid}?version=1").status_code == 204
    link_id = response.json()["members"][0]["link_id"]
    assert client.delete(f"{base}/links/{link_id}?version=1").status_code == 204
    assert not HouseholdLink.objects.exists() and not Guardian.objects.exists()

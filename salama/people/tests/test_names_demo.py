"""The demo persons of salama/people/demo.py are found by the other spelling each one names."""

from __future__ import annotations

from typing import Any

import pytest

from salama.accounts.demo import DEMO_ORGS, demo_email, load_demo_accounts
from salama.accounts.models import User
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.people.access import visible_people
from salama.people.demo import DEMO_NAMES, load_demo_names
from salama.people.search import search_people

pytestmark = pytest.mark.django_db


def test_each_demo_name_is_found_by_its_other_spelling_and_loads_once(settings: Any) -> None:
    settings.SALAMA_DEMO = True
    load_demo_accounts()
    first = load_demo_names()
    second = load_demo_names()
    user = User.objects.get(email=demo_email(DEMO_ORGS[0], Role.CASEWORKER))
    membership = user.memberships.get()
    caseworker = Principal(user=user, membership=membership, verified=True)
    visible = visible_people(caseworker)

    assert visible.count() == len(DEMO_NAMES)
    assert "Demo names in many scripts already loaded." in second
    assert len(first) == len(DEMO_NAMES)
    for given, family, _sex, _nationality, year, search in DEMO_NAMES:
        hits = search_people(visible, search, birth_year=year, limit=3)
        assert hits, f"{search} finds nobody"
        assert hits[0].person.given_name == given, search
        assert hits[0].person.family_name == family

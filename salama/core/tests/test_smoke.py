from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_renders_for_a_verified_caseworker(caseworker_a, login):
    response = login(caseworker_a).get("/")
    assert response.status_code == 200
    assert b"NGO A" in response.content

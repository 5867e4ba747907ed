from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_renders_for_a_verified_caseworker(caseworker_a, login):
    response = login(caseworker_a).get("/")
    assert response.status_code == 200
    assert b"NGO A" in response.content


def test_an_htmx_request_of_an_ended_session_navigates_to_log_in_instead_of_swapping(client):
    response = client.get("/cases/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/accounts/login/")

"""Assistance pages: who may open them, requesting, deciding, paying and the fund pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salama.assistance import services
from salama.assistance.choices import FundKind, ItemStatus
from salama.assistance.models import AssistanceItem, Fund
from salama.assistance.tests.factories import ask, fund_state, make_case, make_fund, principal
from salama.core.models import AuditEntry

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def case(caseworker_a):
    return make_case(caseworker_a)


@pytest.fixture
def fund(org_admin_a):
    return make_fund(org_admin_a, threshold="50.00")


@pytest.fixture
def item(caseworker_a, case, fund):
    return ask(caseworker_a, case, fund, "40")


def _request_data(fund, **overrides):
    data = {
        "service_type": "medical",
        "description": "Antibiotics and a clinic visit",
        "quantity": "2",
        "unit_cost": "15.00",
        "fund": str(fund.uuid) if fund else "",
        "currency": "",
        "service_date": "2026-03-02",
        "provider_name": "Al-Amal clinic",
    }
    data.update(overrides)
    return data


# Access ---------------------------------------------------------------------------------------


def test_other_organisation_gets_404_everywhere(
    case, fund, item, caseworker_b, supervisor_b, org_admin_b, login
):
    """With the role's permission, another organisation's records are 404, never 403."""
    allowed = {
        caseworker_b: {"item-cancel"},
        supervisor_b: {"item-approve", "item-reject", "item-disburse", "item-cancel"},
        org_admin_b: {"item-disburse"},
    }
    for user, actions in allowed.items():
        client = login(user)
        if user is not org_admin_b:
            url = reverse("assistance:case-assistance", args=[case.id])
            assert client.get(url).status_code == 404
        for name in actions:
            response = client.post(reverse(f"assistance:{name}", args=[item.id]), {"reason": "x"})
            assert response.status_code == 404
        if user is not caseworker_b:
            url = reverse("assistance:fund-detail", args=[fund.uuid])
            assert client.get(url).status_code == 404
    item.refresh_from_db()
    assert item.status == ItemStatus.REQUESTED


def test_data_officer_is_denied(case, fund, item, data_officer_a, login):
    client = login(data_officer_a)
    assert client.get(reverse("assistance:case-assistance", args=[case.id])).status_code == 403
    assert client.get(reverse("assistance:approvals")).status_code == 403
    assert client.get(reverse("assistance:fund-list")).status_code == 403
    assert client.get(reverse("assistance:fund-detail", args=[fund.uuid])).status_code == 403
    for name in ("item-approve", "item-reject", "item-disburse", "item-cancel"):
        assert client.post(reverse(f"assistance:{name}", args=[item.id])).status_code == 403


def test_caseworker_cannot_reach_approvals_or_funds(caseworker_a, fund, item, login):
    client = login(caseworker_a)
    assert client.get(reverse("assistance:approvals")).status_code == 403
    assert client.get(reverse("assistance:fund-list")).status_code == 403
    assert client.post(reverse("assistance:item-approve", args=[item.id])).status_code == 403
    assert (
        client.post(
            reverse("assistance:fund-deposit", args=[fund.uuid]), {"amount": "5"}
        ).status_code
        == 403
    )


def test_caseworker_of_another_case_gets_404(case, caseworker2_a, login):
    response = login(caseworker2_a).get(reverse("assistance:case-assistance", args=[case.id]))
    assert response.status_code == 404


def test_supervisor_cannot_manage_funds(supervisor_a, fund, login):
    client = login(supervisor_a)
    assert client.get(reverse("assistance:fund-list")).status_code == 200
    assert client.get(reverse("assistance:fund-create")).status_code == 403
    response = client.post(reverse("assistance:fund-deposit", args=[fund.uuid]), {"amount": "5"})
    assert response.status_code == 403


# The case page --------------------------------------------------------------------------------


def test_case_page_lists_items_with_totals_by_currency(
    caseworker_a, case, fund, item, login, django_assert_max_num_queries
):
    ask(caseworker_a, case, None, "12.50", currency="JOD")
    client = login(caseworker_a)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("assistance:case-assistance", args=[case.id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Three nights in a hostel" in body
    assert "40.00 USD" in body
    assert '<th scope="row">JOD</th><td>12.50</td>' in body
    assert AuditEntry.objects.filter(action="case.view", object_id=str(case.id)).exists()


def test_caseworker_requests_assistance_through_the_form(caseworker_a, case, fund, login):
    client = login(caseworker_a)
    url = reverse("assistance:case-assistance", args=[case.id])
    response = client.post(url, _request_data(fund))
    assert response.status_code == 302
    item = AssistanceItem.objects.select_related("case__person__data_key").get()
    assert (item.amount, item.currency, item.status) == (D("30.00"), "USD", ItemStatus.REQUESTED)
    assert item.provider_name == "Al-Amal clinic"


def test_form_shows_the_services_refusal(caseworker_a, case, fund, login):
    client = login(caseworker_a)
    url = reverse("assistance:case-assistance", args=[case.id])
    response = client.post(url, _request_data(fund, unit_cost="60.00"))
    assert response.status_code == 400
    assert "Only 100.00 USD is available" in response.content.decode()
    response = client.post(url, _request_data(fund, currency="EUR"))
    assert "holds USD but this item is in EUR" in response.content.decode()
    assert not AssistanceItem.objects.exists()


def test_last_resort_request_without_alternatives_is_refused_on_the_page(
    caseworker_a, org_admin_a, case, login
):
    emergency = make_fund(org_admin_a, kind=FundKind.LAST_RESORT, name="Emergency")
    client = login(caseworker_a)
    url = reverse("assistance:case-assistance", args=[case.id])
    response = client.post(url, _request_data(emergency))
    assert response.status_code == 400
    assert "fund of last resort" in response.content.decode()
    ok = client.post(
        url,
        _request_data(
            emergency, alternatives_checked="yes", alternatives_note="Ministry fund closed"
        ),
    )
    assert ok.status_code == 302


def test_htmx_request_returns_the_section_fragment(caseworker_a, case, fund, login):
    client = login(caseworker_a)
    url = reverse("assistance:case-assistance", args=[case.id])
    response = client.post(url, _request_data(fund), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="assistance-section">')
    assert "Antibiotics" in body


# Decisions ------------------------------------------------------------------------------------


def test_supervisor_approves_from_the_queue(supervisor_a, case, fund, item, login):
    client = login(supervisor_a)
    queue = client.get(reverse("assistance:approvals"))
    assert case.reference in queue.content.decode()
    assert "Three nights" not in queue.content.decode()  # free text stays on the case page
    response = client.post(
        reverse("assistance:item-approve", args=[item.id]),
        {"next": reverse("assistance:approvals")},
    )
    assert response.status_code == 302
    assert response.url == reverse("assistance:approvals")
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED
    assert fund_state(fund)[1] == D(40)


def test_requester_above_threshold_is_refused_with_the_reason(supervisor_a, case, fund, login):
    own = ask(supervisor_a, case, fund, "60")
    client = login(supervisor_a)
    response = client.post(reverse("assistance:item-approve", args=[own.id]), follow=True)
    assert "a second person must approve it" in response.content.decode()
    own.refresh_from_db()
    assert own.status == ItemStatus.REQUESTED


def test_reject_needs_a_reason(supervisor_a, item, login):
    client = login(supervisor_a)
    client.post(reverse("assistance:item-reject", args=[item.id]), {"reason": ""})
    item.refresh_from_db()
    assert item.status == ItemStatus.REQUESTED
    client.post(reverse("assistance:item-reject", args=[item.id]), {"reason": "Covered by UNHCR"})
    item.refresh_from_db()
    assert item.status == ItemStatus.REJECTED


def test_org_admin_records_payment_from_the_fund_page(
    supervisor_a, org_admin_a, case, fund, item, login
):
    services.approve_item(actor=principal(supervisor_a), item=item)
    client = login(org_admin_a)
    page = client.get(reverse("assistance:fund-detail", args=[fund.uuid])).content.decode()
    assert case.reference in page
    assert "Three nights" not in page
    response = client.post(
        reverse("assistance:item-disburse", args=[item.id]),
        {"amount": "", "next": reverse("assistance:fund-detail", args=[fund.uuid])},
    )
    assert response.status_code == 302
    assert fund_state(fund) == (D(100), D(0), D(40), D(60))


def test_caseworker_cancels_their_request(caseworker_a, item, login):
    login(caseworker_a).post(reverse("assistance:item-cancel", args=[item.id]), {"reason": "Left"})
    item.refresh_from_db()
    assert item.status == ItemStatus.CANCELLED


def test_org_admin_cancels_a_commitment_from_the_fund_page(
    supervisor_a, org_admin_a, fund, item, login
):
    services.approve_item(actor=principal(supervisor_a), item=item)
    client = login(org_admin_a)
    url = reverse("assistance:fund-detail", args=[fund.uuid])
    assert reverse("assistance:item-cancel", args=[item.id]) in client.get(url).content.decode()
    response = client.post(
        reverse("assistance:item-cancel", args=[item.id]), {"reason": "Not needed", "next": url}
    )
    assert response.status_code == 302
    assert fund_state(fund) == (D(100), D(0), D(0), D(100))


# Funds ----------------------------------------------------------------------------------------


def test_org_admin_creates_and_tops_up_a_fund(org_admin_a, login):
    client = login(org_admin_a)
    response = client.post(
        reverse("assistance:fund-create"),
        {
            "name": "Project Safe Passage",
            "kind": "project_budget",
            "currency": "EUR",
            "approval_threshold": "250",
        },
    )
    fund = Fund.objects.get(name="Project Safe Passage")
    assert response.url == fund.get_absolute_url()
    client.post(
        reverse("assistance:fund-deposit", args=[fund.uuid]), {"amount": "1000", "note": "EU grant"}
    )
    assert fund_state(fund)[3] == D(1000)
    page = client.get(fund.get_absolute_url()).content.decode()
    assert "EU grant" in page and "1000.00 EUR" in page
    listing = client.get(reverse("assistance:fund-list")).content.decode()
    assert "Project Safe Passage" in listing


def test_fund_settings_change_the_threshold(org_admin_a, fund, login):
    client = login(org_admin_a)
    client.post(
        reverse("assistance:fund-settings", args=[fund.uuid]),
        {"approval_threshold": "75", "is_active": "on"},
    )
    fund.refresh_from_db()
    assert (fund.approval_threshold, fund.is_active) == (D(75), True)


def test_invalid_deposit_shows_the_form_again(org_admin_a, fund, login):
    response = login(org_admin_a).post(
        reverse("assistance:fund-deposit", args=[fund.uuid]), {"amount": "0"}
    )
    assert response.status_code == 400
    assert "more than zero" in response.content.decode()


def test_htmx_refusal_is_swapped_in_with_the_message(caseworker_a, case, fund, login):
    client = login(caseworker_a)
    url = reverse("assistance:case-assistance", args=[case.id])
    response = client.post(url, _request_data(fund, unit_cost="90"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Only 100.00 USD is available" in response.content.decode()

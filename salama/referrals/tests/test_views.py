"""Referral pages: the recipient sees the packet and nothing else, by any route, and only while
the referral is open; directory, sending, inbox, board, notifications, transfers, downloads."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from salama.assistance.tests.factories import ask, make_fund
from salama.cases import services as case_services
from salama.core.models import AuditEntry
from salama.core.tests import samples
from salama.referrals import services
from salama.referrals.models import CaseTransfer, Notification, Referral, Service
from salama.referrals.tests.helpers import (
    SECRET_SUMMARY,
    consent_to,
    make_case,
    make_external_service,
    make_service,
    principal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return make_case(caseworker_a)


@pytest.fixture
def attachment(case, caseworker_a):
    return case_services.add_attachment(
        actor=principal(caseworker_a),
        case=case,
        upload=SimpleUploadedFile("statement.pdf", samples.pdf_bytes(), "application/pdf"),
    )


@pytest.fixture
def shelter_b(ngo_b, receiver_b, supervisor_b):
    return make_service(ngo_b)


@pytest.fixture
def referral(case, shelter_b, caseworker_a):
    consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    return services.send_referral(
        actor=principal(caseworker_a),
        case=case,
        service=shelter_b,
        packet_fields=["name", "languages", "needs_note"],
        purpose_note="Please take her in tonight.",
        needs_note="Needs a women-only room.",
    )


def _recipient_routes(case, attachment):
    person = case.person
    return [
        case.get_absolute_url(),
        reverse("cases:attachment-download", args=[case.id, attachment.id]),
        person.get_absolute_url(),
        reverse("people:person-edit", args=[person.id]),
        reverse("people:person-photo", args=[person.id]),
        f"/api/v1/cases/{case.id}",
        f"/api/v1/cases/{case.id}/notes",
        f"/api/v1/cases/{case.id}/attachments",
        f"/api/v1/people/{person.id}",
    ]


def test_recipient_sees_the_packet_and_nothing_outside_it_by_any_route(
    referral, case, attachment, receiver_b, login
):
    client = login(receiver_b)
    for url in _recipient_routes(case, attachment):
        assert client.get(url).status_code in (403, 404), url
    searches = [
        client.post("/people/", {"q": "Amina"}),
        client.post("/api/v1/people/search", {"q": "Amina"}, content_type="application/json"),
        client.get("/api/v1/people"),
        client.get("/api/v1/cases/"),
        client.get("/cases/"),
    ]
    for response in searches:
        assert response.status_code in (200, 403), response.request["PATH_INFO"]
        assert b"Amina" not in response.content and b"Yusuf" not in response.content
    page = client.get(reverse("referrals:packet", args=[referral.id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Amina Yusuf" in text and "women-only" in text and "ti, ar" in text
    for secret in ("1994", "P7654321", "555 0101", "Keren", "river", case.reference):
        assert secret not in text, secret
    assert AuditEntry.objects.filter(action="referral.packet_view").count() == 1


def test_packet_api_returns_only_the_chosen_fields(referral, receiver_b, login):
    data = login(receiver_b).get(f"/api/v1/referrals/{referral.id}/packet").json()
    assert data["packet"] == {
        "name": "Amina Yusuf",
        "languages": ["ti", "ar"],
        "needs_note": "Needs a women-only room.",
    }
    assert "case_id" not in data


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("decline", {"reason": "No room"}),
        ("withdraw", {"reason": "Not needed any more"}),
        ("complete", {}),
    ],
)
def test_recipient_access_ends_when_the_referral_closes(
    action, data, referral, receiver_b, caseworker_a, login
):
    recipient = login(receiver_b)
    if action == "complete":
        actor = principal(receiver_b)
        services.accept_referral(actor=actor, referral=referral, expected_version=1)
        services.record_delivery(
            actor=actor,
            referral=referral,
            delivery_note="Bed",
            delivered_on=timezone.localdate(),
            expected_version=2,
        )
    else:
        sender = login(caseworker_a) if action == "withdraw" else recipient
        response = sender.post(
            reverse("referrals:referral-move", args=[referral.id, action]),
            {"version": referral.version, **data},
        )
        assert response.status_code == 302
    if action == "complete":
        response = recipient.post(
            reverse("referrals:referral-move", args=[referral.id, "complete"]), {"version": 3}
        )
        assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status in ("declined", "withdrawn", "completed")
    assert recipient.get(reverse("referrals:packet", args=[referral.id])).status_code == 404
    assert recipient.get(f"/api/v1/referrals/{referral.id}/packet").status_code == 404
    inbox = recipient.get(reverse("referrals:inbox") + "?show=all").content.decode()
    assert referral.short_id in inbox and "Amina" not in inbox


def test_other_service_providers_cannot_open_the_packet(referral, receiver_a, login):
    client = login(receiver_a)
    assert client.get(reverse("referrals:packet", args=[referral.id])).status_code == 404
    assert client.get(f"/api/v1/referrals/{referral.id}/packet").status_code == 404
    response = client.post(
        reverse("referrals:referral-move", args=[referral.id, "accept"]), {"version": 1}
    )
    assert response.status_code == 404


def test_inbox_lists_open_referrals_with_overdue_flags(referral, receiver_b, login):
    Referral.objects.filter(pk=referral.pk).update(due_at=timezone.now())
    text = login(receiver_b).get(reverse("referrals:inbox")).content.decode()
    assert referral.short_id in text and "overdue" in text


def test_recipient_acknowledges_and_accepts_from_the_packet_page(referral, receiver_b, login):
    client = login(receiver_b)
    url = reverse("referrals:referral-move", args=[referral.id, "acknowledge"])
    assert client.post(url, {"version": 1}).status_code == 302
    stale = client.post(
        reverse("referrals:referral-move", args=[referral.id, "accept"]),
        {"version": 1},
        follow=True,
    )
    assert "Someone else changed this referral" in stale.content.decode()
    client.post(reverse("referrals:referral-move", args=[referral.id, "accept"]), {"version": 2})
    assert Referral.objects.get(pk=referral.pk).status == "accepted"


# Sending through the pages ----------------------------------------------------------------------


def test_directory_finds_services_by_need_place_and_language(shelter_b, ngo_a, caseworker_a, login):
    make_service(ngo_a, name="Legal desk", service_type="legal", languages=["fr"])
    client = login(caseworker_a)
    text = client.get(
        reverse("referrals:directory") + "?service_type=accommodation&country=KE&language=ar"
    ).content.decode()
    assert "NGO B shelter" in text and "Legal desk" not in text and "cross-border" in text
    text = client.get(reverse("referrals:directory") + "?language=ti").content.decode()
    assert "No service matches" in text


def test_directory_is_closed_to_data_officers(shelter_b, data_officer_a, login):
    assert login(data_officer_a).get(reverse("referrals:directory")).status_code == 403


def test_sending_without_consent_shows_the_reason_and_sends_nothing(
    case, shelter_b, caseworker_a, login
):
    client = login(caseworker_a)
    url = reverse("referrals:referral-create") + f"?case={case.id}&service={shelter_b.uuid}"
    form = client.get(url)
    assert form.status_code == 200
    # Consent comes first: without it the rest of the form is not even offered.
    assert 'value="name"' not in form.content.decode()
    assert reverse("people:consent-create", args=[case.person_id]) in form.content.decode()
    response = client.post(
        url,
        {"packet_fields": ["name"], "purpose_note": "Shelter please"},
    )
    assert response.status_code == 400
    assert "has not consented to a referral to NGO B" in response.content.decode()
    assert not Referral.objects.exists()


def test_sending_with_consent_creates_the_referral_and_notifies_the_provider(
    case, shelter_b, caseworker_a, receiver_b, login
):
    consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    client = login(caseworker_a)
    url = reverse("referrals:referral-create") + f"?case={case.id}&service={shelter_b.uuid}"
    response = client.post(
        url,
        {
            "consent_confirmed": "on",
            "urgency": "high",
            "packet_fields": ["age_band"],
            "purpose_note": "Shelter please",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "referrals:referral-detail", args=[referral.id]
    )
    assert list(referral.packet) == ["age_band"]
    assert Notification.objects.filter(user=receiver_b, kind="referral_received").exists()
    badge = login(receiver_b).get(reverse("referrals:notification-count")).content.decode()
    assert ">1<" in badge


def test_caseworker_of_another_organisation_cannot_refer_the_case(
    case, shelter_b, caseworker_b, login
):
    url = reverse("referrals:referral-create") + f"?case={case.id}&service={shelter_b.uuid}"
    assert login(caseworker_b).get(url).status_code == 404


def test_sender_detail_and_board_show_the_referral(
    referral, caseworker_a, supervisor_a, supervisor_b, login
):
    detail = login(caseworker_a).get(reverse("referrals:referral-detail", args=[referral.id]))
    assert detail.status_code == 200 and "Amina Yusuf" in detail.content.decode()
    for supervisor in (supervisor_a, supervisor_b):
        board = login(supervisor).get(reverse("referrals:board"), HTTP_HX_REQUEST="true")
        text = board.content.decode()
        assert referral.short_id in text and "Amina" not in text


def test_board_is_for_supervisors_only(referral, caseworker_a, receiver_b, login):
    assert login(caseworker_a).get(reverse("referrals:board")).status_code == 403
    assert login(receiver_b).get(reverse("referrals:board")).status_code == 403


def test_notifications_page_marks_everything_read(referral, receiver_b, login):
    client = login(receiver_b)
    assert "New referral" in client.get(reverse("referrals:notifications")).content.decode()
    client.post(reverse("referrals:notifications-read"))
    assert not Notification.objects.filter(user=receiver_b, read_at__isnull=True).exists()


# Directory management ---------------------------------------------------------------------------


def test_org_admin_adds_and_edits_a_service_of_their_organisation(org_admin_a, ngo_a, login):
    client = login(org_admin_a)
    assert client.get(reverse("referrals:directory-manage")).status_code == 200
    provider = ngo_a.provider
    response = client.post(
        reverse("referrals:service-create", args=[provider.uuid]),
        {
            "name": "Night shelter",
            "service_type": "accommodation",
            "country": "JO",
            "area": "Amman",
            "languages": "ar, en",
            "capacity": 10,
            "available": 4,
            "is_active": "on",
        },
    )
    service = Service.objects.get(name="Night shelter")
    assert response.status_code == 302 and service.languages == ["ar", "en"]
    edit = reverse("referrals:service-edit", args=[service.uuid])
    client.post(
        edit,
        {
            "name": "Night shelter",
            "service_type": "accommodation",
            "country": "JO",
            "available": 2,
            "version": 1,
        },
    )
    assert Service.objects.get(pk=service.pk).available == 2


def test_org_admin_of_another_organisation_cannot_edit_the_service(shelter_b, org_admin_a, login):
    url = reverse("referrals:service-edit", args=[shelter_b.uuid])
    assert login(org_admin_a).get(url).status_code == 404


def test_org_admin_adds_an_external_provider(org_admin_a, login):
    response = login(org_admin_a).post(
        reverse("referrals:directory-manage"),
        {"name": "Clinic Outside", "country": "KE", "contact_email": "intake@clinic.example"},
    )
    assert response.status_code == 302
    assert Service.objects.count() == 0
    from salama.referrals.models import Provider

    assert Provider.objects.get(is_external=True).organisation.name == "Clinic Outside"


# External download page -------------------------------------------------------------------------


def test_external_download_page_confirms_then_downloads_once(
    case, caseworker_a, ngo_a, client, django_capture_on_commit_callbacks
):
    service = make_external_service(ngo_a)
    consent_to(caseworker_a, case.person, service.provider.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_referral(
            actor=principal(caseworker_a),
            case=case,
            service=service,
            packet_fields=["name"],
            purpose_note="Check-up",
        )
    token = re.search(r"/referrals/download/([^/\s]+)/", mail.outbox[-1].body).group(1)
    url = reverse("referrals:external-download", args=[token])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Amina" not in confirm.content.decode()
    document = client.post(url)
    assert document.status_code == 200 and "Amina Yusuf" in document.content.decode()
    again = client.post(url)
    assert again.status_code == 410 and "already downloaded" in again.content.decode()
    wrong = client.get(reverse("referrals:external-download", args=["not-a-token"]))
    assert wrong.status_code == 404 and "not valid" in wrong.content.decode()
    assert AuditEntry.objects.filter(action="referral.external_download").count() == 2


# Transfers --------------------------------------------------------------------------------------


def test_transfer_through_the_pages_moves_the_case_and_the_sender_loses_it(
    case, caseworker_a, supervisor_a, supervisor_b, caseworker_b, ngo_b, login
):
    consent_to(caseworker_a, case.person, ngo_b)
    sender = login(supervisor_a)
    response = sender.post(
        reverse("referrals:transfer-create") + f"?case={case.id}",
        {"to_org": str(ngo_b.uuid), "packet_fields": ["name", "case_summary"], "reason": "Moved"},
    )
    assert response.status_code == 302
    receiver = login(supervisor_b)
    transfer = receiver.get(reverse("referrals:transfer-list")).context["incoming"][0]
    detail = receiver.get(reverse("referrals:transfer-detail", args=[transfer.id]))
    assert SECRET_SUMMARY in detail.content.decode()
    assert receiver.get(case.get_absolute_url()).status_code == 404
    receiver.post(
        reverse("referrals:transfer-accept", args=[transfer.id]),
        {"assign_to": str(caseworker_b.uuid)},
    )
    assert receiver.get(case.get_absolute_url()).status_code == 200
    assert sender.get(case.get_absolute_url()).status_code == 404
    assert sender.get(case.person.get_absolute_url()).status_code == 404
    assert sender.get(reverse("referrals:transfer-detail", args=[transfer.id])).status_code == 200
    assert (
        SECRET_SUMMARY
        not in sender.get(reverse("referrals:transfer-detail", args=[transfer.id])).content.decode()
    )


def test_transfer_form_asks_about_open_assistance_and_both_sides_see_the_answer(
    case, caseworker_a, supervisor_a, org_admin_a, supervisor_b, ngo_b, login
):
    fund = make_fund(org_admin_a)
    ask(caseworker_a, case, fund, "25.00")
    consent_to(caseworker_a, case.person, ngo_b)
    sender = login(supervisor_a)
    url = reverse("referrals:transfer-create") + f"?case={case.id}"
    form = sender.get(url).content.decode()
    assert "1 requested or approved item on your funds (25.00 USD)" in form
    body = {"to_org": str(ngo_b.uuid), "packet_fields": ["name"], "reason": "Moved"}
    refused = sender.post(url, body)
    assert refused.status_code == 400
    assert "cancel the open assistance items or keep them" in refused.content.decode()
    assert sender.post(url, {**body, "open_items": "keep"}).status_code == 302
    transfer = CaseTransfer.objects.get()
    assert transfer.open_items == "keep"
    detail_url = reverse("referrals:transfer-detail", args=[transfer.id])
    for client in (sender, login(supervisor_b)):
        page = client.get(detail_url).content.decode()
        assert "Kept by the sending organisation, which pays or cancels them" in page
    assert (
        "only NGO A can approve, pay or cancel them"
        in login(supervisor_b).get(detail_url).content.decode()
    )


def test_service_page_and_sent_list_render(referral, shelter_b, caseworker_a, login):
    client = login(caseworker_a)
    page = client.get(shelter_b.get_absolute_url()).content.decode()
    assert "acknowledges in 1 day(s)" in page
    sent = client.get(reverse("referrals:sent") + f"?case={referral.case_id}").content.decode()
    assert referral.short_id in sent


def test_demo_services_load_once(db):
    from salama.accounts.demo import DEMO_ORGS
    from salama.accounts.models import Organisation
    from salama.referrals.demo import load_demo_referrals

    for index, demo in enumerate(DEMO_ORGS[:2]):
        Organisation.objects.create(
            name=demo.name, org_type="NGO", country="JO", reference_prefix=f"D{index}"
        )
    assert len(load_demo_referrals()) == 6
    assert load_demo_referrals() == []


def test_the_inbox_and_the_sent_list_narrow_to_new_or_overdue_referrals_and_say_so(
    referral, receiver_b, caseworker_a, login
):
    inbox, sent = reverse("referrals:inbox"), reverse("referrals:sent")
    provider, worker = login(receiver_b), login(caseworker_a)
    assert len(provider.get(inbox, {"status": "sent"}).context["rows"]) == 1
    assert len(provider.get(inbox, {"overdue": "1"}).context["rows"]) == 0
    Referral.objects.filter(pk=referral.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    narrowed = provider.get(inbox, {"overdue": "1"})
    assert len(narrowed.context["rows"]) == 1
    assert "Only open referrals past their deadline." in narrowed.content.decode()
    assert len(worker.get(sent, {"overdue": "1"}).context["rows"]) == 1
    assert len(worker.get(sent, {"status": "accepted"}).context["rows"]) == 0
    # An unknown status narrows nothing (and says nothing).
    loose = worker.get(sent, {"status": "lost"})
    assert len(loose.context["rows"]) == 1
    assert "Only referrals" not in loose.content.decode()

"""Working on a referral together: readable references, urgency, the need and who to call in
the inbox, consent first, the message thread that never widens the packet, and the recipient's
own delivery record that outlives the referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from salama.accounts.models import Organisation
from salama.core.models import AuditEntry
from salama.core.roles import Role
from salama.referrals import services
from salama.referrals.models import (
    Notification,
    Referral,
    ReferralMessage,
    ServiceDeliveryRecord,
)
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
def case(caseworker_a):
    return make_case(caseworker_a)


@pytest.fixture
def shelter_b(ngo_b, receiver_b, supervisor_b):
    return make_service(ngo_b)


def _send(case, service, caseworker, **kw):
    consent_to(caseworker, case.person, service.provider.organisation)
    defaults = {
        "packet_fields": ["age_band", "languages"],
        "purpose_note": "Please find her a bed for two weeks.",
        "sender_phone": "+962 6 555 1234",
    }
    defaults.update(kw)
    return services.send_referral(
        actor=principal(caseworker), case=case, service=service, **defaults
    )


@pytest.fixture
def referral(case, shelter_b, caseworker_a):
    return _send(case, shelter_b, caseworker_a)


@pytest.fixture
def outsider(db):
    ngo_c = Organisation.objects.create(
        name="NGO C", org_type="NGO", country="JO", reference_prefix="NGOC"
    )
    return make_user(ngo_c, Role.SERVICE_PROVIDER, "provider@c.example")


def _close(referral, receiver):
    actor = principal(receiver)
    services.accept_referral(actor=actor, referral=referral, expected_version=None)
    services.record_delivery(
        actor=actor,
        referral=referral,
        delivery_note="Two weeks in the women's wing for Amina",
        delivered_on=timezone.localdate(),
        expected_version=None,
    )
    services.complete_referral(actor=actor, referral=referral, expected_version=None)
    referral.refresh_from_db()
    return referral


# References and urgency -------------------------------------------------------------------------


def test_references_are_readable_and_numbered_per_sending_organisation(
    case, shelter_b, caseworker_a
):
    first = _send(case, shelter_b, caseworker_a)
    second = _send(case, shelter_b, caseworker_a)
    year = timezone.now().year
    assert first.reference == f"NGOA-REF-{year}-00001"
    assert second.reference == f"NGOA-REF-{year}-00002"
    assert first.short_id == first.reference
    assert first.reference != case.reference


def test_an_emergency_must_be_acknowledged_the_same_day_and_never_later_than_the_service_asks(
    case, shelter_b, caseworker_a
):
    emergency = _send(case, shelter_b, caseworker_a, urgency_level="emergency")
    low = _send(case, shelter_b, caseworker_a, urgency_level="low")
    assert emergency.due_at - emergency.sent_at == dt.timedelta(hours=4)
    # Low keeps the accommodation service's own day to acknowledge.
    assert low.due_at - low.sent_at == dt.timedelta(days=1)


def test_an_unknown_urgency_is_refused_with_the_levels_to_choose_from(
    case, shelter_b, caseworker_a
):
    with pytest.raises(ValidationError, match="emergency, high, normal or low"):
        _send(case, shelter_b, caseworker_a, urgency_level="whenever")
    assert not Referral.objects.exists()


# The inbox --------------------------------------------------------------------------------------


def test_inbox_shows_the_need_the_urgency_and_who_to_call_and_no_hash(
    referral, receiver_b, caseworker_a, login
):
    page = login(receiver_b).get(reverse("referrals:inbox")).content.decode()
    assert referral.reference in page
    assert str(referral.id)[:8] not in page.replace(str(referral.id), "")
    assert "Please find her a bed for two weeks." in page
    assert "Accommodation" in page and "Urgency: Normal" in page
    assert caseworker_a.full_name in page and "NGO A" in page
    assert "+962 6 555 1234" in page and caseworker_a.email in page
    # Nothing from outside what the recipient is given.
    assert SECRET_SUMMARY not in page and referral.case.reference not in page


def test_inbox_lists_the_most_urgent_first_then_the_nearest_deadline(
    case, shelter_b, caseworker_a, receiver_b, login
):
    low = _send(case, shelter_b, caseworker_a, urgency_level="low")
    normal = _send(case, shelter_b, caseworker_a)
    emergency = _send(case, shelter_b, caseworker_a, urgency_level="emergency")
    data = login(receiver_b).get("/api/v1/referrals/inbox").json()
    assert [r["reference"] for r in data] == [
        emergency.reference,
        normal.reference,
        low.reference,
    ]
    assert data[0]["urgency"] == "emergency"
    assert data[0]["sender"] == {
        "name": caseworker_a.full_name,
        "organisation": "NGO A",
        "phone": "+962 6 555 1234",
        "email": caseworker_a.email,
    }


# Consent first ----------------------------------------------------------------------------------


def test_the_referral_form_is_refused_server_side_without_consent_whatever_is_posted(
    case, shelter_b, caseworker_a, login
):
    url = reverse("referrals:referral-create") + f"?case={case.id}&service={shelter_b.uuid}"
    response = login(caseworker_a).post(
        url,
        {
            "consent_confirmed": "on",
            "urgency": "normal",
            "packet_fields": ["age_band"],
            "purpose_note": "Shelter please",
        },
    )
    assert response.status_code == 400
    assert 'name="purpose_note"' not in response.content.decode()
    assert not Referral.objects.exists()


def test_the_referral_form_needs_the_consent_confirmed_before_it_sends(
    case, shelter_b, caseworker_a, login
):
    consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    url = reverse("referrals:referral-create") + f"?case={case.id}&service={shelter_b.uuid}"
    client = login(caseworker_a)
    page = client.get(url).content.decode()
    assert "recorded on" in page and 'name="consent_confirmed"' in page
    response = client.post(url, {"packet_fields": ["age_band"], "purpose_note": "Shelter please"})
    assert response.status_code == 400
    assert "Confirm that the person agrees" in response.content.decode()
    assert not Referral.objects.exists()


# The thread -------------------------------------------------------------------------------------


def test_a_message_from_the_sender_may_not_carry_a_value_the_packet_does_not(
    referral, caseworker_a
):
    actor = principal(caseworker_a)
    for leak in ("Her name is Amina", "call +962 79 555 0101", "passport P7654321", "1994-05-17"):
        with pytest.raises(ValidationError, match="does not share"):
            services.post_referral_message(actor=actor, referral=referral, body=leak)
    assert not ReferralMessage.objects.exists()
    services.post_referral_message(actor=actor, referral=referral, body="She arrives at 6 pm.")
    assert ReferralMessage.objects.count() == 1


def test_a_message_may_carry_what_the_packet_already_shares(case, shelter_b, caseworker_a):
    referral = _send(case, shelter_b, caseworker_a, packet_fields=["name"])
    services.post_referral_message(
        actor=principal(caseworker_a), referral=referral, body="Amina will come with her sister."
    )
    assert ReferralMessage.objects.get().body == "Amina will come with her sister."


def test_the_thread_page_shows_the_packet_and_messages_and_nothing_outside_the_packet(
    referral, caseworker_a, receiver_b, login
):
    services.post_referral_message(
        actor=principal(caseworker_a), referral=referral, body="She arrives at 6 pm."
    )
    page = login(receiver_b).get(reverse("referrals:thread", args=[referral.id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "She arrives at 6 pm." in text and "ti, ar" in text
    for secret in ("Amina", "Yusuf", "1994", "P7654321", "555 0101", "Keren", "river"):
        assert secret not in text, secret
    assert referral.case.reference not in text
    api = login(receiver_b).get(f"/api/v1/referrals/{referral.id}/messages").json()
    assert [m["body"] for m in api["messages"]] == ["She arrives at 6 pm."]
    assert set(api) == {"reference", "status", "open", "messages"}


def test_a_third_organisation_gets_404_on_the_thread_page_and_api(referral, outsider, login):
    client = login(outsider)
    assert client.get(reverse("referrals:thread", args=[referral.id])).status_code == 404
    assert (
        client.post(reverse("referrals:thread", args=[referral.id]), {"body": "Hello"}).status_code
        == 404
    )
    assert client.get(f"/api/v1/referrals/{referral.id}/messages").status_code == 404
    posted = client.post(
        f"/api/v1/referrals/{referral.id}/messages",
        {"body": "Hello"},
        content_type="application/json",
    )
    assert posted.status_code == 404
    with pytest.raises(Exception) as refused:
        services.post_referral_message(actor=principal(outsider), referral=referral, body="Hi")
    assert type(refused.value).__name__ in ("NotPermitted", "Http404", "PermissionDenied")
    assert not ReferralMessage.objects.exists()


def test_posting_notifies_the_other_side_and_is_audited_for_both_organisations(
    referral, caseworker_a, receiver_b, login
):
    response = login(receiver_b).post(
        reverse("referrals:thread", args=[referral.id]), {"body": "We have a bed from Monday."}
    )
    assert response.status_code == 302
    note = Notification.objects.get(kind="referral_message")
    assert note.user == caseworker_a and referral.reference in note.message
    assert "bed" not in note.message
    entries = AuditEntry.objects.filter(action="referral.message")
    assert {e.organisation_id for e in entries} == {
        referral.from_organisation_id,
        referral.to_organisation_id,
    }
    assert all("We have a bed" not in str(e.changes) for e in entries)
    link = login(caseworker_a).get(reverse("referrals:notifications")).content.decode()
    assert reverse("referrals:thread", args=[referral.id]) in link


def test_posting_by_api_answers_201_and_the_sender_reads_it(
    referral, caseworker_a, receiver_b, login
):
    posted = login(caseworker_a).post(
        f"/api/v1/referrals/{referral.id}/messages",
        {"body": "She needs a ground-floor room."},
        content_type="application/json",
    )
    assert posted.status_code == 201 and posted.json()["mine"] is True
    data = login(receiver_b).get(f"/api/v1/referrals/{referral.id}/messages").json()
    assert data["messages"][0]["mine"] is False
    assert data["messages"][0]["organisation"] == "NGO A"


def test_a_closed_referral_thread_is_read_only_for_the_sender_and_gone_for_the_recipient(
    referral, caseworker_a, receiver_b, login
):
    services.post_referral_message(
        actor=principal(caseworker_a), referral=referral, body="She arrives at 6 pm."
    )
    _close(referral, receiver_b)
    sender = login(caseworker_a)
    page = sender.get(reverse("referrals:thread", args=[referral.id])).content.decode()
    assert "She arrives at 6 pm." in page and 'name="body"' not in page
    with pytest.raises(ValidationError, match="closed"):
        services.post_referral_message(
            actor=principal(caseworker_a), referral=referral, body="One more thing"
        )
    assert login(receiver_b).get(reverse("referrals:thread", args=[referral.id])).status_code == 404


def test_an_external_provider_cannot_be_written_to_in_the_thread(case, ngo_a, caseworker_a):
    service = make_external_service(ngo_a)
    referral = _send(case, service, caseworker_a)
    with pytest.raises(ValidationError, match="no Salama users"):
        services.post_referral_message(
            actor=principal(caseworker_a), referral=referral, body="Hello"
        )


# The recipient's delivery record ----------------------------------------------------------------


def test_closing_keeps_a_delivery_record_with_nothing_from_the_packet(referral, receiver_b):
    referral = _close(referral, receiver_b)
    record = ServiceDeliveryRecord.objects.get()
    assert record.organisation_id == referral.to_organisation_id
    assert record.reference == referral.reference and record.outcome == "completed"
    assert record.delivered_at is not None and record.client_label.startswith("C-")
    values = " ".join(str(getattr(record, f.attname)) for f in record._meta.concrete_fields)
    for secret in ("Amina", "Yusuf", "women's wing", "Please find her", "18-24", "'ti'"):
        assert secret not in values, secret
    names = {f.name for f in record._meta.concrete_fields}
    assert not names & {"packet", "purpose_note", "delivery_note", "person", "case"}
    assert AuditEntry.objects.filter(
        action="referral.delivery_record", organisation_id=referral.to_organisation_id
    ).exists()


def test_a_declined_referral_keeps_a_record_too(referral, receiver_b):
    services.decline_referral(
        actor=principal(receiver_b), referral=referral, reason="Full", expected_version=None
    )
    assert ServiceDeliveryRecord.objects.get().outcome == "declined"


def test_the_closed_list_links_to_the_delivery_record_never_to_the_referral(
    referral, receiver_b, login
):
    _close(referral, receiver_b)
    record = ServiceDeliveryRecord.objects.get()
    client = login(receiver_b)
    page = client.get(reverse("referrals:inbox") + "?show=all").content.decode()
    assert reverse("referrals:delivery-detail", args=[record.id]) in page
    assert reverse("referrals:packet", args=[referral.id]) not in page
    assert reverse("referrals:thread", args=[referral.id]) not in page
    notes = client.get(reverse("referrals:notifications")).content.decode()
    assert reverse("referrals:packet", args=[referral.id]) not in notes
    detail = client.get(reverse("referrals:delivery-detail", args=[record.id]))
    assert detail.status_code == 200 and referral.reference in detail.content.decode()
    assert "Amina" not in detail.content.decode()
    listed = client.get(reverse("referrals:delivery-list")).content.decode()
    assert record.reference in listed
    api = client.get("/api/v1/referrals/delivered").json()
    assert [r["reference"] for r in api] == [referral.reference]
    assert api[0]["outcome"] == "completed"


def test_the_delivery_record_is_the_recipients_alone(referral, receiver_b, caseworker_a, login):
    _close(referral, receiver_b)
    record = ServiceDeliveryRecord.objects.get()
    url = reverse("referrals:delivery-detail", args=[record.id])
    assert login(caseworker_a).get(url).status_code == 404
    assert login(caseworker_a).get("/api/v1/referrals/delivered").status_code == 403


def test_the_same_person_keeps_one_label_per_recipient(case, shelter_b, caseworker_a, receiver_b):
    first = _close(_send(case, shelter_b, caseworker_a), receiver_b)
    second = _close(_send(case, shelter_b, caseworker_a), receiver_b)
    labels = {r.client_label for r in ServiceDeliveryRecord.objects.all()}
    assert len(labels) == 1 and first.reference != second.reference

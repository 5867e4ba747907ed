"""A notification reads in its reader's language, whatever language the user who caused it used."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from conftest import principal
from salama.referrals import services
from salama.referrals.models import Notification
from salama.referrals.tests.helpers import consent_to, make_case, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A request in French leaves French active in the thread; the next test file expects none."""
    yield
    translation.deactivate()


@pytest.fixture
def referral(caseworker_a, ngo_b, receiver_b, supervisor_b):
    case = make_case(caseworker_a)
    shelter = make_service(ngo_b)
    consent_to(caseworker_a, case.person, ngo_b)
    return services.send_referral(
        actor=principal(caseworker_a),
        case=case,
        service=shelter,
        packet_fields=["name"],
        purpose_note="Please take her in tonight.",
    )


def _acknowledge_in_arabic(referral, receiver_b, capture):
    mail.outbox.clear()
    with translation.override("ar"), capture(execute=True):
        services.acknowledge_referral(
            actor=principal(receiver_b), referral=referral, expected_version=1
        )


def test_a_notification_caused_in_arabic_reaches_an_english_reader_in_english_in_app(
    referral, caseworker_a, receiver_b, login, django_capture_on_commit_callbacks
):
    _acknowledge_in_arabic(referral, receiver_b, django_capture_on_commit_callbacks)
    told = Notification.objects.get(user=caseworker_a, kind="referral_updated")
    assert "تم الإقرار" in told.message  # the fallback text, as first composed
    assert (told.code, told.params) == ("referral.status", {"status": "acknowledged"})
    page = login(caseworker_a).get(reverse("referrals:notifications"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert f"Referral {referral.short_id} to" in html and "is now acknowledged." in html
    assert "تم الإقرار" not in html


def test_a_notification_caused_in_arabic_is_emailed_in_the_recipients_language(
    referral, caseworker_a, receiver_b, django_capture_on_commit_callbacks
):
    caseworker_a.preferred_language = "en"
    caseworker_a.save(update_fields=["preferred_language"])
    _acknowledge_in_arabic(referral, receiver_b, django_capture_on_commit_callbacks)
    [email] = [m for m in mail.outbox if m.to == [caseworker_a.email]]
    assert email.subject == "Salama: Referral updated"
    assert "is now acknowledged." in email.body and "Open Salama to see it:" in email.body
    assert "تم" not in email.body + email.subject


def test_each_recipient_gets_the_email_in_their_own_language(
    caseworker_a, ngo_b, receiver_b, supervisor_b, django_capture_on_commit_callbacks
):
    receiver_b.preferred_language = "fr"
    receiver_b.save(update_fields=["preferred_language"])
    case = make_case(caseworker_a)
    consent_to(caseworker_a, case.person, ngo_b)
    mail.outbox.clear()
    with translation.override("ar"), django_capture_on_commit_callbacks(execute=True):
        services.send_referral(
            actor=principal(caseworker_a),
            case=case,
            service=make_service(ngo_b),
            packet_fields=["name"],
            purpose_note="Please take her in tonight.",
        )
    [email] = mail.outbox
    assert email.to == [receiver_b.email]
    assert email.body.startswith("Nouvelle orientation : Orientation ")


def test_a_recipient_without_a_known_language_gets_the_site_language(
    referral, caseworker_a, receiver_b, django_capture_on_commit_callbacks
):
    caseworker_a.preferred_language = "tlh"
    caseworker_a.save(update_fields=["preferred_language"])
    _acknowledge_in_arabic(referral, receiver_b, django_capture_on_commit_callbacks)
    [email] = [m for m in mail.outbox if m.to == [caseworker_a.email]]
    assert "is now acknowledged." in email.body


def test_an_overdue_alert_reads_as_before_in_the_readers_language(referral, supervisor_a):
    with translation.override("ar"):
        services.notify_overdue_referrals(referral.due_at + dt.timedelta(seconds=1))
    alert = Notification.objects.get(kind="referral_overdue", user=supervisor_a)
    due = timezone.localtime(referral.due_at).strftime("%Y-%m-%d %H:%M")
    with translation.override("en"):
        assert alert.shown_message == (
            f"Referral {referral.short_id} to NGO B shelter (Accommodation) is overdue: "
            f"acknowledgement was due on {due}."
        )
        assert "Amina" not in alert.shown_message


def test_an_old_notification_with_text_only_still_shows_its_text(caseworker_a, ngo_a, login):
    Notification.objects.create(
        user=caseworker_a,
        organisation=ngo_a,
        kind="referral_updated",
        message="Referral R-OLD is now accepted.",
    )
    page = login(caseworker_a).get(reverse("referrals:notifications"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Referral R-OLD is now accepted." in page.content.decode()

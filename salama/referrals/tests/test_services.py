"""Referral services: consent, override, packets, the state machine, SLA alerts, transfers and
external downloads."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from salama.assistance.tests.factories import ask, make_fund
from salama.cases.access import visible_cases
from salama.cases.models import Case
from salama.core.errors import ConflictError, ConsentMissing
from salama.core.models import AuditEntry
from salama.people.access import visible_people
from salama.people.services import update_person, withdraw_consent
from salama.referrals import downloads, services
from salama.referrals.models import ExternalDownload, Notification, Referral
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


def send(user, case, service, fields=("name", "needs_note"), **kw):
    return services.send_referral(
        actor=principal(user),
        case=case,
        service=service,
        packet_fields=list(fields),
        purpose_note=kw.pop("purpose_note", "Please take her in tonight."),
        needs_note=kw.pop("needs_note", "Needs a women-only room."),
        **kw,
    )


def raw_column(table: str, column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else ""


# Consent ----------------------------------------------------------------------------------------


def test_referral_without_consent_is_refused_naming_the_missing_consent(case, shelter_b):
    with pytest.raises(
        ConsentMissing, match="not consented to a referral to NGO B for Accommodation"
    ):
        send(case.assigned_to, case, shelter_b)
    assert not Referral.objects.exists()


def test_withdrawn_consent_does_not_count(case, shelter_b, caseworker_a):
    consent = consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    withdraw_consent(actor=principal(caseworker_a), consent=consent, note="changed her mind")
    with pytest.raises(ConsentMissing):
        send(caseworker_a, case, shelter_b)


def test_consent_for_another_organisation_or_service_type_does_not_count(
    case, shelter_b, caseworker_a, ngo_a
):
    consent_to(caseworker_a, case.person, ngo_a)
    consent_to(caseworker_a, case.person, None, service_type="legal")
    with pytest.raises(ConsentMissing):
        send(caseworker_a, case, shelter_b)


def test_consent_for_the_service_type_alone_allows_the_referral(case, shelter_b, caseworker_a):
    consent = consent_to(caseworker_a, case.person, None, service_type="accommodation")
    referral = send(caseworker_a, case, shelter_b)
    assert referral.consent == consent
    assert referral.emergency_override is False


def test_caseworker_cannot_use_the_emergency_override(case, shelter_b, caseworker_a):
    with pytest.raises(PermissionDenied):
        send(
            caseworker_a,
            case,
            shelter_b,
            emergency_override_reason="She is in danger tonight and cannot be asked.",
        )


def test_override_without_a_reason_is_refused_for_supervisors_too(case, shelter_b, supervisor_a):
    with pytest.raises(ConsentMissing, match="In an emergency you may override"):
        send(supervisor_a, case, shelter_b)
    with pytest.raises(ValidationError, match="at least 20 characters"):
        send(supervisor_a, case, shelter_b, emergency_override_reason="danger")


def test_supervisor_overrides_with_a_written_reason_which_is_encrypted_and_audited(
    case, shelter_b, supervisor_a
):
    reason = "Unconscious after an assault; needs a bed now and cannot consent."
    referral = send(supervisor_a, case, shelter_b, emergency_override_reason=reason)
    assert referral.emergency_override is True
    assert Referral.objects.get(pk=referral.pk).override_reason == reason
    stored = raw_column("referrals_referral", "override_reason", referral.pk)
    assert stored.startswith("v1:") and "Unconscious" not in stored
    entry = AuditEntry.objects.get(action="referral.override")
    assert entry.scope_id == str(case.id) and "override_reason" in entry.fields


# Packet -----------------------------------------------------------------------------------------


def test_packet_is_an_encrypted_snapshot_of_the_chosen_fields(case, shelter_b, caseworker_a):
    consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    referral = send(caseworker_a, case, shelter_b, fields=["name", "contacts.phone", "needs_note"])
    update_person(
        actor=principal(caseworker_a),
        person=case.person,
        expected_version=None,
        changes={"given_name": "Changed"},
    )
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.packet == {
        "name": "Amina Yusuf",
        "contacts.phone": ["+962 79 555 0101"],
        "needs_note": "Needs a women-only room.",
    }
    raw = raw_column("referrals_referral", "packet", referral.pk)
    assert "Amina" not in raw and "0101" not in raw


def test_unknown_packet_fields_and_an_empty_needs_note_are_refused(case, shelter_b, caseworker_a):
    consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    with pytest.raises(ValidationError, match="cannot be shared: place_of_birth"):
        send(caseworker_a, case, shelter_b, fields=["place_of_birth"])
    with pytest.raises(ValidationError, match="Write the needs note"):
        send(caseworker_a, case, shelter_b, fields=["needs_note"], needs_note=" ")


def test_another_organisations_caseworker_cannot_refer_the_case(case, shelter_b, caseworker_b):
    with pytest.raises(PermissionDenied):
        send(caseworker_b, case, shelter_b)


# States -----------------------------------------------------------------------------------------


@pytest.fixture
def referral(case, shelter_b, caseworker_a):
    consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    return send(caseworker_a, case, shelter_b)


def test_recipient_walks_the_referral_to_completion_and_the_sender_is_told(
    referral, receiver_b, caseworker_a
):
    actor = principal(receiver_b)
    services.acknowledge_referral(actor=actor, referral=referral, expected_version=1)
    services.accept_referral(actor=actor, referral=referral, expected_version=2)
    services.record_delivery(
        actor=actor,
        referral=referral,
        delivery_note="Bed for 30 nights",
        delivered_on=timezone.localdate(),
        expected_version=3,
    )
    services.complete_referral(actor=actor, referral=referral, expected_version=4)
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == "completed" and stored.completed_at is not None
    assert stored.delivery_note == "Bed for 30 nights"
    assert Notification.objects.filter(user=caseworker_a, kind="referral_updated").count() == 4
    timeline = AuditEntry.objects.filter(scope_id=str(referral.case_id)).values_list(
        "action", flat=True
    )
    assert {"referral.send", "referral.accept", "referral.complete"} <= set(timeline)


def test_illegal_moves_are_refused_with_a_clear_message(referral, receiver_b):
    with pytest.raises(ValidationError, match="cannot be “Complete”. Possible now: Acknowledge"):
        services.complete_referral(
            actor=principal(receiver_b), referral=referral, expected_version=1
        )


def test_stale_version_is_a_conflict(referral, receiver_b):
    services.acknowledge_referral(
        actor=principal(receiver_b), referral=referral, expected_version=1
    )
    stale = Referral.objects.get(pk=referral.pk)
    stale.status, stale.version = "sent", 1
    with pytest.raises(ConflictError):
        services.accept_referral(actor=principal(receiver_b), referral=stale, expected_version=1)


def test_decline_needs_a_reason_and_the_recipient_cannot_withdraw(referral, receiver_b):
    with pytest.raises(ValidationError, match="Give the reason"):
        services.decline_referral(
            actor=principal(receiver_b), referral=referral, reason="", expected_version=1
        )
    with pytest.raises(PermissionDenied):
        services.withdraw_referral(
            actor=principal(receiver_b), referral=referral, reason="x", expected_version=1
        )


def test_sender_cannot_accept_for_a_provider_with_salama_users(referral, caseworker_a):
    with pytest.raises(PermissionDenied):
        services.accept_referral(
            actor=principal(caseworker_a), referral=referral, expected_version=1
        )


def test_sender_withdraws_with_a_reason(referral, caseworker_a, receiver_b):
    services.withdraw_referral(
        actor=principal(caseworker_a),
        referral=referral,
        reason="Found a closer place",
        expected_version=1,
    )
    assert Referral.objects.get(pk=referral.pk).status == "withdrawn"
    assert Notification.objects.filter(user=receiver_b, kind="referral_updated").exists()


def test_cross_border_referral_is_flagged_and_same_country_is_not(
    case, shelter_b, caseworker_a, ngo_a, receiver_a
):
    consent_to(caseworker_a, case.person, shelter_b.provider.organisation)
    consent_to(caseworker_a, case.person, ngo_a)
    assert send(caseworker_a, case, shelter_b).is_cross_border is True
    local = make_service(ngo_a, service_type="legal")
    consent_to(caseworker_a, case.person, ngo_a, service_type="legal")
    assert send(caseworker_a, case, local).is_cross_border is False


# SLA --------------------------------------------------------------------------------------------


def test_overdue_alerts_fire_just_after_the_deadline_and_only_once(
    referral, supervisor_a, supervisor_b, receiver_b, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    due = referral.due_at
    assert due == referral.sent_at + dt.timedelta(days=1)  # accommodation: 1 day to acknowledge
    assert services.notify_overdue_referrals(due) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_overdue_referrals(due + dt.timedelta(seconds=1)) == 1
    assert services.notify_overdue_referrals(due + dt.timedelta(days=3)) == 0
    overdue = Notification.objects.filter(kind="referral_overdue")
    assert sorted(n.user.email for n in overdue) == [supervisor_a.email, supervisor_b.email]
    assert "Amina" not in overdue.first().message
    assert sorted(m.to[0] for m in mail.outbox) == [supervisor_a.email, supervisor_b.email]


def test_the_next_stage_gets_its_own_alert(referral, receiver_b, supervisor_a):
    services.acknowledge_referral(
        actor=principal(receiver_b), referral=referral, expected_version=1
    )
    referral.refresh_from_db()
    assert referral.due_at == referral.sent_at + dt.timedelta(days=2)
    assert services.notify_overdue_referrals(referral.due_at + dt.timedelta(seconds=1)) == 1
    services.accept_referral(actor=principal(receiver_b), referral=referral, expected_version=2)
    assert services.notify_overdue_referrals(referral.sent_at + dt.timedelta(days=90)) == 0


def test_overdue_command_and_task_use_the_same_check(referral, supervisor_a):
    from django.core.management import call_command

    from salama.referrals.tasks import check_overdue_referrals

    later = (referral.due_at + dt.timedelta(minutes=1)).isoformat()
    call_command("referrals_overdue", now=dt.datetime.fromisoformat(later))
    assert Notification.objects.filter(kind="referral_overdue", user=supervisor_a).count() == 1
    assert check_overdue_referrals.call(later) == 0


# Transfers --------------------------------------------------------------------------------------


def test_transfer_needs_consent_naming_the_receiving_organisation(
    case, supervisor_a, ngo_b, supervisor_b
):
    with pytest.raises(ConsentMissing, match="NGO B"):
        services.request_transfer(
            actor=principal(supervisor_a),
            case=case,
            to_org=ngo_b,
            packet_fields=["name"],
            reason="Moving",
        )


def test_accepted_transfer_moves_ownership_and_the_sender_loses_access(
    case, caseworker_a, supervisor_a, ngo_b, supervisor_b, caseworker_b
):
    consent_to(caseworker_a, case.person, ngo_b)
    transfer = services.request_transfer(
        actor=principal(supervisor_a),
        case=case,
        to_org=ngo_b,
        packet_fields=["name", "case_summary"],
        reason="She moved to Nairobi",
    )
    assert transfer.is_cross_border is True
    assert not visible_cases(principal(supervisor_b)).exists()
    services.accept_transfer(
        actor=principal(supervisor_b), transfer=transfer, assign_to=caseworker_b
    )
    moved = Case.objects.get(pk=case.pk)
    year = timezone.now().year
    assert (moved.organisation, moved.assigned_to, moved.reference) == (
        ngo_b,
        caseworker_b,
        f"NGOB-{year}-00001",
    )
    assert moved.summary == SECRET_SUMMARY
    for user in (caseworker_a, supervisor_a):
        assert not visible_cases(principal(user)).exists()
        assert not visible_people(principal(user)).exists()
    assert list(visible_cases(principal(caseworker_b))) == [moved]
    assert AuditEntry.objects.filter(action="case.transfer_accept").count() == 2


def test_the_senders_choice_for_open_assistance_is_checked_stored_and_reported(
    case, caseworker_a, supervisor_a, org_admin_a, ngo_b, supervisor_b, caseworker_b
):
    ask(caseworker_a, case, make_fund(org_admin_a), "25.00")
    consent_to(caseworker_a, case.person, ngo_b)
    kwargs = {"case": case, "to_org": ngo_b, "packet_fields": ["name"], "reason": "Moving"}
    with pytest.raises(ValidationError, match="1 open assistance item on your funds"):
        services.request_transfer(actor=principal(supervisor_a), **kwargs)
    with pytest.raises(ValidationError, match="“cancel” or “keep”"):
        services.request_transfer(actor=principal(supervisor_a), open_items="pay", **kwargs)
    transfer = services.request_transfer(
        actor=principal(supervisor_a), open_items="cancel", **kwargs
    )
    requested = AuditEntry.objects.get(action="case.transfer_request")
    assert requested.changes["open_items"] == [None, "cancel"]
    services.accept_transfer(
        actor=principal(supervisor_b), transfer=transfer, assign_to=caseworker_b
    )
    accepted = AuditEntry.objects.filter(action="case.transfer_accept").first()
    assert accepted.changes["items_cancelled"] == [None, 1]
    told = Notification.objects.get(user=supervisor_a, kind="transfer_decided")
    assert "1 open assistance item on your funds was cancelled." in told.message


def test_declined_transfer_leaves_the_case_where_it_was(
    case, caseworker_a, supervisor_a, ngo_b, supervisor_b
):
    consent_to(caseworker_a, case.person, ngo_b)
    transfer = services.request_transfer(
        actor=principal(supervisor_a),
        case=case,
        to_org=ngo_b,
        packet_fields=["name"],
        reason="Moving",
    )
    services.decline_transfer(
        actor=principal(supervisor_b), transfer=transfer, reason="No capacity"
    )
    assert Case.objects.get(pk=case.pk).organisation == case.organisation
    with pytest.raises(ValidationError, match="already decided"):
        services.decline_transfer(actor=principal(supervisor_b), transfer=transfer, reason="again")


# External downloads -----------------------------------------------------------------------------


def _token_from_mail() -> str:
    match = re.search(r"/referrals/download/([^/\s]+)/", mail.outbox[-1].body)
    assert match is not None
    return match.group(1)


@pytest.fixture
def external(case, caseworker_a, ngo_a, django_capture_on_commit_callbacks):
    service = make_external_service(ngo_a)
    consent_to(caseworker_a, case.person, service.provider.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(caseworker_a, case, service, fields=["name", "needs_note"])
    return referral


def test_external_referral_emails_a_link_and_the_database_cannot_read_the_packet(external):
    assert mail.outbox[-1].to == ["intake@clinic.example"]
    assert "Amina" not in mail.outbox[-1].body
    token = _token_from_mail()
    download = ExternalDownload.objects.get(referral=external)
    assert token not in download.token_hash
    assert b"Amina" not in bytes(download.ciphertext)
    html = services.open_external_download(token)
    assert "Amina Yusuf" in html and "women-only" in html and "Keren" not in html


def test_external_download_works_once(external):
    token = _token_from_mail()
    services.open_external_download(token)
    with pytest.raises(downloads.DownloadUnavailable) as exc:
        services.open_external_download(token)
    assert exc.value.code == "used"
    assert ExternalDownload.objects.get(referral=external).ciphertext is None


def test_expired_or_wrong_tokens_are_refused(external):
    token = _token_from_mail()
    with pytest.raises(downloads.DownloadUnavailable) as exc:
        services.open_external_download(token, now=timezone.now() + dt.timedelta(days=8))
    assert exc.value.code == "expired"
    with pytest.raises(downloads.DownloadUnavailable) as exc:
        services.open_external_download(token[:-2] + "xx")
    assert exc.value.code == "unknown"


def test_a_download_link_is_refused_after_five_tries_in_an_hour(external):
    wrong = _token_from_mail()[:-2] + "xx"
    for _ in range(downloads.DOWNLOAD_ATTEMPTS_PER_HOUR):
        with pytest.raises(downloads.DownloadUnavailable) as exc:
            services.open_external_download(wrong)
        assert exc.value.code == "unknown"
    with pytest.raises(downloads.DownloadUnavailable) as exc:
        services.open_external_download(wrong)
    assert exc.value.code == "rate_limited"


def test_withdrawing_an_external_referral_wipes_its_download(external, caseworker_a):
    token = _token_from_mail()
    services.withdraw_referral(
        actor=principal(caseworker_a), referral=external, reason="Not needed", expected_version=1
    )
    with pytest.raises(downloads.DownloadUnavailable) as exc:
        services.open_external_download(token)
    assert exc.value.code == "used"


def test_sender_records_the_answers_of_an_external_provider(external, caseworker_a):
    services.accept_referral(actor=principal(caseworker_a), referral=external, expected_version=1)
    assert Referral.objects.get(pk=external.pk).status == "accepted"

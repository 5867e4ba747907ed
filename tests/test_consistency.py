"""Issue 15's consistency pass: help text that screen readers announce, an HTMX action that says
it succeeded, an irreversible finalise that asks first, a 404 that says what may have happened,
no link to what the user can no longer open, and no maintainers' notes shown to users."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from conftest import principal
from salama.referrals import services as referral_services
from salama.referrals.models import Notification
from salama.referrals.tests.helpers import consent_to, make_service
from salama.referrals.tests.helpers import make_case as make_referral_case
from salama.referrals.tests.helpers import principal as referral_principal
from salama.screening.tests.test_services import MEETS_PROFILE, make_case, screen

pytestmark = pytest.mark.django_db


class _HelpedForm(forms.Form):
    languages = forms.CharField(help_text="Comma-separated: ar, en, fr")
    needs = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that apply",
    )


@pytest.mark.parametrize("template", ["includes/form.html", "people/partials/_field.html"])
def test_every_aria_describedby_points_at_an_element_on_the_page(template):
    form = _HelpedForm(data={})
    form.is_valid()
    if template == "includes/form.html":
        html = render_to_string(template, {"form": form})
    else:
        html = "".join(render_to_string(template, {"field": f}) for f in form.visible_fields())
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    described = {
        ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split()
    }
    assert "id_languages_helptext" in described
    assert described <= ids, f"aria-describedby names missing ids: {described - ids}"
    assert len(re.findall(r'\bid="id_languages_error"', html)) == 1


def test_finalising_a_screening_first_says_how_many_indicators_were_not_asked(caseworker_a, login):
    screening = screen(caseworker_a, make_case(caseworker_a), MEETS_PROFILE)
    client = login(caseworker_a)
    url = reverse("screening:screening-finalise", args=[screening.id])
    response = client.post(url)
    body = response.content.decode()
    screening.refresh_from_db()
    assert response.status_code == 200 and not screening.is_final
    match = re.search(r"(\d+) of (\d+) indicators are not asked", body)
    assert match, body
    not_asked, total = int(match[1]), int(match[2])
    assert not_asked == total - len(MEETS_PROFILE)
    assert 'name="confirmed" value="yes"' in body

    response = client.post(url, {"confirmed": "yes"}, follow=True)
    screening.refresh_from_db()
    assert screening.is_final
    assert "The screening is final." in response.content.decode()


def test_a_screening_shows_no_note_meant_for_the_maintainers_of_the_tables(caseworker_a, login):
    screening = screen(caseworker_a, make_case(caseworker_a), {}, exploitation="sexual")
    page = login(caseworker_a).get(reverse("screening:screening-detail", args=[screening.id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Rating uncertain" not in body and "ILO source (one reading" not in body


def test_an_htmx_answer_says_it_was_saved_in_the_pages_message_region(caseworker_a, login):
    screening = screen(caseworker_a, make_case(caseworker_a), {})
    response = login(caseworker_a).post(
        reverse("screening:screening-answer", args=[screening.id]),
        {"indicator": "d1_deceived_nature_of_job", "value": "present"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.startswith('<section id="result-panel"')
    assert 'id="messages"' in body and 'hx-swap-oob="true"' in body
    assert "The answer was saved." in body


def test_every_page_has_the_message_region_htmx_swaps_into(caseworker_a, login):
    body = login(caseworker_a).get(reverse("core:home")).content.decode()
    assert body.count('id="messages"') == 1


def test_a_404_says_what_may_have_happened_and_where_to_go_without_saying_what_it_was(
    caseworker_a, caseworker2_a, login
):
    case = make_case(caseworker2_a)  # someone else's case
    response = login(caseworker_a).get(case.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 404
    assert "reassigned" in body and "no longer have access" in body
    assert f'href="{reverse("core:home")}"' in body
    assert f'href="{reverse("cases:case-list")}"' in body
    assert case.reference not in body


def test_a_notification_of_a_closed_referral_no_longer_links_to_its_packet(
    caseworker_a, receiver_b, supervisor_b, ngo_b, login, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    case = make_referral_case(caseworker_a)
    service = make_service(ngo_b)
    consent_to(caseworker_a, case.person, ngo_b)
    referral = referral_services.send_referral(
        actor=referral_principal(caseworker_a),
        case=case,
        service=service,
        packet_fields=["languages"],
        purpose_note="Please take her in.",
    )
    assert Notification.objects.filter(user=receiver_b, referral=referral).exists()
    packet = reverse("referrals:packet", args=[referral.id])
    client = login(receiver_b)
    assert packet in client.get(reverse("referrals:notifications")).content.decode()

    referral_services.decline_referral(
        actor=referral_principal(receiver_b),
        referral=referral,
        reason="No room.",
        expected_version=referral.version,
    )
    assert client.get(packet).status_code == 404
    assert packet not in client.get(reverse("referrals:notifications")).content.decode()


def test_a_refused_delivery_keeps_the_note_that_was_typed(
    caseworker_a, receiver_b, supervisor_b, ngo_b, login, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    case = make_referral_case(caseworker_a)
    consent_to(caseworker_a, case.person, ngo_b)
    referral = referral_services.send_referral(
        actor=referral_principal(caseworker_a),
        case=case,
        service=make_service(ngo_b),
        packet_fields=["languages"],
        purpose_note="Please take her in.",
    )
    actor = referral_principal(receiver_b)
    referral_services.acknowledge_referral(actor=actor, referral=referral, expected_version=1)
    referral_services.accept_referral(actor=actor, referral=referral, expected_version=2)
    client = login(receiver_b)
    # A stale version: someone else changed the referral since the page was loaded.
    response = client.post(
        reverse("referrals:referral-move", args=[referral.id, "deliver"]),
        {
            "version": 1,
            "delivery_note": "Three nights, room 4, towels",
            "delivered_on": "2026-01-02",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Three nights, room 4, towels</textarea>" in body
    assert 'value="2026-01-02"' in body
    assert 'role="alert" id="move-errors-deliver"' in body
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_a_refused_payment_keeps_the_amount_that_was_typed(
    caseworker_a, supervisor_a, org_admin_a, login
):
    from salama.assistance import services as assistance_services
    from salama.assistance.tests.factories import ask, make_fund
    from salama.assistance.tests.factories import make_case as make_assistance_case
    from salama.assistance.tests.factories import principal as assistance_principal

    fund = make_fund(org_admin_a, threshold="50.00")
    item = ask(caseworker_a, make_assistance_case(caseworker_a), fund, "40")
    assistance_services.approve_item(actor=assistance_principal(supervisor_a), item=item)
    client = login(org_admin_a)
    back = reverse("assistance:fund-detail", args=[fund.uuid])
    response = client.post(
        reverse("assistance:item-disburse", args=[item.id]), {"amount": "-5", "next": back}
    )
    assert response.status_code == 302
    page = client.get(back).content.decode()
    assert f'id="paid-{item.id}" type="number" name="amount" step="0.01" min="0" value="-5"' in page
    # Shown once: the next visit starts empty again.
    assert 'value="-5"' not in client.get(back).content.decode()


def test_a_members_history_and_the_audit_trail_say_what_happened_in_words(
    org_admin_a, caseworker_a, ngo_a, login
):
    from salama.accounts import services as account_services
    from salama.accounts.models import Membership

    membership = Membership.objects.get(user=caseworker_a, organisation=ngo_a)
    account_services.change_role(
        actor=principal(org_admin_a), membership=membership, role="supervisor"
    )
    client = login(org_admin_a)
    history = client.get(reverse("accounts:member-detail", args=[membership.uuid])).content.decode()
    assert "Role changed</strong>: Role: Caseworker → Supervisor" in history
    assert "{" not in history.split("Recent changes")[1]
    assert "membership.change_role" not in history

    trail = client.get(reverse("core:audit-log")).content.decode()
    assert "Role changed" in trail and "Caseworker → Supervisor" in trail


def test_a_task_the_system_added_reads_in_the_readers_language_not_the_triggering_users(
    caseworker_a,
):
    from django.utils import translation

    from salama.cases.models import Task
    from salama.screening import services as screening_services

    screening = screen(caseworker_a, make_case(caseworker_a), MEETS_PROFILE)
    with translation.override("ar"):
        screening_services.finalise_screening(actor=principal(caseworker_a), screening=screening)
    task = Task.objects.get(case=screening.case, kind="refer_for_identification")
    with translation.override("fr"):
        shown = task.shown_title
        assert shown == translation.gettext("Refer for formal identification")
    assert shown != "Refer for formal identification", "the French catalogue translates it"
    assert shown != task.title

"""The authorisation matrix: every URL × every role × own and other organisation.

Each URL pattern must appear in EXPECTED, or `test_every_url_is_in_the_matrix` fails, so a new
endpoint is denied by default and cannot ship without saying who may reach it. For every pattern
the test builds a small world owned by organisation A (a person registered by caseworker A, a case
assigned to them with consent, a note, a file, a task, a plan item, a screening, an assessment, a
pending reassignment), then requests the URL as each user and checks they got through exactly
when the matrix says so. "Denied" means 401, 403, 404 or a redirect to log in; "through" is
anything else (a page, a redirect onwards, a form error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from conftest import make_user, verified_client
from salama.accounts.models import Organisation, User
from salama.accounts.services import create_api_token
from salama.core.policy import Principal
from salama.core.roles import Role
from salama.core.tests import samples

A_ROLES = ("caseworker", "caseworker2", "supervisor", "provider", "data_officer", "org_admin")
B_ROLES = ("caseworker_b", "supervisor_b", "provider_b", "data_officer_b", "org_admin_b")
EVERYONE = frozenset(A_ROLES + B_ROLES + ("anonymous",))
LOGGED_IN = frozenset(A_ROLES + B_ROLES)


def both(*roles: str) -> frozenset[str]:
    """Roles allowed on a page that is not about one record: the same role in either org."""
    return frozenset(roles) | frozenset(f"{r}_b" for r in roles if f"{r}_b" in B_ROLES)


CASE_TEAM = frozenset({"caseworker", "supervisor"})
PERSON_READERS = both("caseworker", "supervisor") | {"caseworker2"}
# The evidence pages: everyone with a dashboard (not a service provider).
EVIDENCE = both("caseworker", "supervisor", "data_officer", "org_admin") | {"caseworker2"}
# The service directory: everyone who works cases, receives referrals or runs an organisation.
DIRECTORY = both("caseworker", "supervisor", "provider", "org_admin") | {"caseworker2"}


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    methods: tuple[str, ...] = ("get",)
    data: Callable[[dict[str, Any], User | None], dict[str, Any]] | None = None
    query: str = ""  # "person", "case", "case_service": query parameters the page needs
    # For API writes ninja validates the body before the view: only anonymous callers are checked.
    anonymous_only: bool = False
    # Log-out redirects to the log-in page on success.
    login_redirect_is_success: bool = False


def own_membership(world: dict[str, Any], user: User | None) -> dict[str, Any]:
    membership = user.memberships.first() if user else None
    return {"membership": str(membership.uuid) if membership else ""}


EXPECTED: dict[str, Rule] = {
    # core
    "": Rule(LOGGED_IN),
    "audit/": Rule(both("supervisor", "org_admin")),
    "healthz": Rule(EVERYONE),
    "health/": Rule(EVERYONE),
    # accounts
    "accounts/login/": Rule(EVERYONE),
    "accounts/logout/": Rule(EVERYONE, methods=("post",), login_redirect_is_success=True),
    "accounts/two-factor/": Rule(LOGGED_IN),
    "accounts/two-factor/setup/": Rule(LOGGED_IN),
    "accounts/profile/": Rule(LOGGED_IN),
    "accounts/profile/password/": Rule(LOGGED_IN, methods=("post",)),
    "accounts/profile/logout-everywhere/": Rule(
        LOGGED_IN, methods=("post",), login_redirect_is_success=True
    ),
    "accounts/profile/tokens/": Rule(LOGGED_IN, methods=("post",)),
    "accounts/profile/tokens/<uuid:token_uuid>/revoke/": Rule(
        frozenset({"caseworker"}), methods=("post",)
    ),
    "accounts/organisation/switch/": Rule(LOGGED_IN, methods=("post",), data=own_membership),
    "accounts/members/": Rule(both("org_admin")),
    "accounts/members/add/": Rule(both("org_admin"), methods=("post",)),
    "accounts/members/invitations/<uuid:invitation_id>/resend/": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    "accounts/members/invitations/<uuid:invitation_id>/revoke/": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    "accounts/members/<uuid:membership_uuid>/": Rule(frozenset({"org_admin"})),
    "accounts/members/<uuid:membership_uuid>/revoke/": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    "accounts/members/<uuid:membership_uuid>/reset-two-factor/": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    "accounts/password/set/<uidb64>/<token>/": Rule(EVERYONE),
    # Public: the invitation link and the invitee's page; without a valid token in the session
    # the page only says the link is not valid.
    "accounts/invitations/<str:token>/": Rule(EVERYONE),
    "accounts/invitations/respond/": Rule(EVERYONE, methods=("get", "post")),
    "i18n/setlang/": Rule(EVERYONE, methods=("post",)),
    # people
    "people/": Rule(PERSON_READERS, methods=("get", "post")),
    "people/new/": Rule(PERSON_READERS),
    "people/new/duplicates/": Rule(PERSON_READERS, methods=("post",)),
    "people/<uuid:person_id>/": Rule(CASE_TEAM),
    "people/<uuid:person_id>/edit/": Rule(CASE_TEAM),
    "people/<uuid:person_id>/documents/": Rule(CASE_TEAM, methods=("post",)),
    "people/<uuid:person_id>/contacts/": Rule(CASE_TEAM, methods=("post",)),
    "people/<uuid:person_id>/photo/": Rule(CASE_TEAM),
    "people/<uuid:person_id>/photo/upload/": Rule(CASE_TEAM, methods=("post",)),
    "people/<uuid:person_id>/erase/": Rule(frozenset({"supervisor"}), methods=("post",)),
    "people/<uuid:person_id>/consents/new/": Rule(CASE_TEAM),
    "people/<uuid:person_id>/consents/<uuid:consent_id>/withdraw/": Rule(
        CASE_TEAM, methods=("post",)
    ),
    # households: removal needs the version read, so an empty POST is a form error ("through")
    "people/<uuid:person_id>/household/": Rule(CASE_TEAM, methods=("post",)),
    "people/<uuid:person_id>/household/search/": Rule(CASE_TEAM, methods=("post",)),
    "people/<uuid:person_id>/household/<uuid:link_id>/remove/": Rule(CASE_TEAM, methods=("post",)),
    "people/<uuid:person_id>/guardians/": Rule(CASE_TEAM, methods=("post",)),
    "people/<uuid:person_id>/guardians/<uuid:guardian_id>/remove/": Rule(
        CASE_TEAM, methods=("post",)
    ),
    # cases
    "cases/": Rule(PERSON_READERS),
    "cases/new/": Rule(CASE_TEAM, query="person"),
    "cases/retention/": Rule(both("org_admin")),
    "cases/retention/apply/": Rule(both("org_admin"), methods=("post",)),
    "cases/review-intervals/": Rule(both("org_admin")),
    "cases/<uuid:case_id>/": Rule(CASE_TEAM),
    "cases/<uuid:case_id>/move/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/close/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/reopen/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/summary/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/assign/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/reassignments/<uuid:request_id>/decide/": Rule(
        frozenset({"supervisor"}), methods=("post",)
    ),
    "cases/<uuid:case_id>/notes/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/attachments/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/attachments/<uuid:attachment_id>/": Rule(CASE_TEAM),
    "cases/<uuid:case_id>/tasks/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/tasks/<uuid:task_id>/status/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/plan/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/plan/<uuid:item_id>/status/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/exploitation/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/perpetrators/": Rule(CASE_TEAM, methods=("post",)),
    # supervision approvals (the request decided here is the pending reassignment)
    "cases/approvals/": Rule(both("supervisor")),
    "cases/approvals/<uuid:request_id>/decide/": Rule(frozenset({"supervisor"}), methods=("post",)),
    "cases/<uuid:case_id>/approvals/plan/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/perpetrators/<uuid:perpetrator_id>/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/perpetrators/<uuid:perpetrator_id>/remove/": Rule(
        CASE_TEAM, methods=("post",)
    ),
    "cases/<uuid:case_id>/risk/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/safety-plan/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/contacts/": Rule(CASE_TEAM, methods=("post",)),
    # best interests: the case team assesses; only a supervisor records the determination
    "cases/<uuid:case_id>/best-interests/assessments/": Rule(CASE_TEAM, methods=("post",)),
    "cases/<uuid:case_id>/best-interests/assessments/<uuid:bia_id>/": Rule(
        CASE_TEAM, methods=("post",)
    ),
    "cases/<uuid:case_id>/best-interests/determinations/": Rule(
        frozenset({"supervisor"}), methods=("post",)
    ),
    # screening
    "screening/case/<uuid:case_id>/": Rule(CASE_TEAM),
    "screening/case/<uuid:case_id>/start/": Rule(CASE_TEAM, methods=("post",)),
    # Recording an identification decision or a reconsideration needs identification.record.
    "screening/case/<uuid:case_id>/decision/": Rule(frozenset({"supervisor"})),
    "screening/case/<uuid:case_id>/referral/": Rule(CASE_TEAM, methods=("post",)),
    "screening/decisions/<uuid:decision_id>/reconsiderations/": Rule(
        frozenset({"supervisor"}), methods=("post",)
    ),
    "screening/reconsiderations/<uuid:reconsideration_id>/decide/": Rule(
        frozenset({"supervisor"}), methods=("post",)
    ),
    "screening/case/<uuid:case_id>/assessments/": Rule(CASE_TEAM, methods=("post",)),
    "screening/<uuid:screening_id>/": Rule(CASE_TEAM),
    "screening/<uuid:screening_id>/answer/": Rule(CASE_TEAM, methods=("post",)),
    "screening/<uuid:screening_id>/act/": Rule(CASE_TEAM, methods=("post",)),
    "screening/<uuid:screening_id>/finalise/": Rule(CASE_TEAM, methods=("post",)),
    "screening/<uuid:screening_id>/amend/": Rule(CASE_TEAM, methods=("post",)),
    "screening/assessments/<uuid:assessment_id>/": Rule(CASE_TEAM),
    "screening/assessments/<uuid:assessment_id>/answer/": Rule(CASE_TEAM, methods=("post",)),
    "screening/assessments/<uuid:assessment_id>/events/": Rule(CASE_TEAM, methods=("post",)),
    "screening/assessments/<uuid:assessment_id>/finalise/": Rule(CASE_TEAM, methods=("post",)),
    "screening/assessments/<uuid:assessment_id>/amend/": Rule(CASE_TEAM, methods=("post",)),
    "screening/assessments/<uuid:assessment_id>/plan/": Rule(CASE_TEAM, methods=("post",)),
    # API
    "api/v1/": Rule(frozenset()),  # ninja's docs root; the docs page is switched off
    "api/v1/openapi.json": Rule(EVERYONE),
    "api/v1/me": Rule(LOGGED_IN),
    "api/v1/people": Rule(PERSON_READERS),
    "api/v1/people/search": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/people/duplicates": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/people/<person_id>": Rule(CASE_TEAM),
    "api/v1/people/<person_id>/consents": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/people/<person_id>/consents/<consent_id>/withdraw": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/cases/": Rule(PERSON_READERS),
    "api/v1/cases/<case_id>": Rule(CASE_TEAM),
    "api/v1/cases/<case_id>/move": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/cases/<case_id>/close": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/cases/<case_id>/reopen": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/cases/<case_id>/assign": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/cases/<case_id>/notes": Rule(CASE_TEAM),
    "api/v1/cases/<case_id>/tasks": Rule(CASE_TEAM),
    "api/v1/cases/<case_id>/tasks/<task_id>/complete": Rule(CASE_TEAM, methods=("post",)),
    "api/v1/cases/<case_id>/plan": Rule(CASE_TEAM),
    "api/v1/cases/<case_id>/plan/<item_id>/status": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/cases/<case_id>/attachments": Rule(CASE_TEAM),
    "api/v1/cases/approvals": Rule(both("supervisor")),
    "api/v1/cases/<case_id>/approvals": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/cases/approvals/<request_id>/decide": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/cases/<case_id>/attachments/<attachment_id>/download": Rule(CASE_TEAM),
    # GET here; the PUT, POST and DELETE are checked in salama/cases/tests/test_exploitation_api.py
    "api/v1/cases/<case_id>/exploitation": Rule(CASE_TEAM),
    "api/v1/cases/<case_id>/perpetrators": Rule(CASE_TEAM),
    "api/v1/cases/<case_id>/perpetrators/<perpetrator_id>": Rule(CASE_TEAM),
    # GET here; the POST and PUT are checked in salama/cases/tests/test_safety_api.py
    "api/v1/cases/<case_id>/risk-assessments": Rule(CASE_TEAM),
    "api/v1/cases/<case_id>/safety-plan": Rule(CASE_TEAM),
    "api/v1/cases/<case_id>/contacts": Rule(CASE_TEAM),
    # GET here; the writes are checked in salama/people/tests/test_household.py and
    # salama/cases/tests/test_best_interests.py
    "api/v1/people/<person_id>/household": Rule(CASE_TEAM),
    "api/v1/people/<person_id>/household/links": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/people/<person_id>/household/links/<link_id>": Rule(
        LOGGED_IN, methods=("delete",), anonymous_only=True
    ),
    "api/v1/people/<person_id>/household/guardians": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/people/<person_id>/household/guardians/<guardian_id>": Rule(
        LOGGED_IN, methods=("delete",), anonymous_only=True
    ),
    # duplicate review: supervisors; a pair or merge of A's persons is A's supervisor's only
    # (writes through the API are checked in salama/matching/tests/test_review_api.py)
    "matching/review/": Rule(both("supervisor")),
    "matching/review/pairs/<uuid:pair_id>/": Rule(frozenset({"supervisor"})),
    "matching/review/pairs/<uuid:pair_id>/merge/": Rule(
        frozenset({"supervisor"}), methods=("post",)
    ),
    "matching/review/pairs/<uuid:pair_id>/not-duplicate/": Rule(
        frozenset({"supervisor"}), methods=("post",)
    ),
    "matching/review/pairs/<uuid:pair_id>/disclose/": Rule(
        frozenset({"supervisor"}), methods=("post",)
    ),
    "matching/review/merges/<uuid:merge_id>/": Rule(frozenset({"supervisor"})),
    "matching/review/merges/<uuid:merge_id>/undo/": Rule(
        frozenset({"supervisor"}), methods=("post",)
    ),
    "api/v1/matching/review": Rule(both("supervisor")),
    "api/v1/matching/review/pairs/<pair_id>": Rule(frozenset({"supervisor"})),
    "api/v1/matching/review/pairs/<pair_id>/merge": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/matching/review/pairs/<pair_id>/not-duplicate": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/matching/review/pairs/<pair_id>/disclose": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/matching/review/merges/<merge_id>": Rule(frozenset({"supervisor"})),
    "api/v1/matching/review/merges/<merge_id>/undo": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/cases/<case_id>/best-interests": Rule(CASE_TEAM),
    "api/v1/cases/<case_id>/best-interests/assessments": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/cases/<case_id>/best-interests/assessments/<bia_id>": Rule(
        LOGGED_IN, methods=("put",), anonymous_only=True
    ),
    "api/v1/cases/<case_id>/best-interests/determinations": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/screening/cases/<case_id>/screenings": Rule(CASE_TEAM),
    "api/v1/screening/screenings/<screening_id>": Rule(CASE_TEAM),
    "api/v1/screening/screenings/<screening_id>/answers": Rule(
        LOGGED_IN, methods=("put",), anonymous_only=True
    ),
    "api/v1/screening/screenings/<screening_id>/result": Rule(CASE_TEAM),
    "api/v1/screening/screenings/<screening_id>/finalise": Rule(CASE_TEAM, methods=("post",)),
    "api/v1/screening/screenings/<screening_id>/amend": Rule(CASE_TEAM, methods=("post",)),
    "api/v1/screening/cases/<case_id>/decisions": Rule(CASE_TEAM),
    "api/v1/screening/cases/<case_id>/identification-referrals": Rule(CASE_TEAM),
    "api/v1/screening/decisions/<decision_id>/reconsiderations": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/screening/reconsiderations/<reconsideration_id>/decide": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/screening/cases/<case_id>/assessments": Rule(CASE_TEAM),
    "api/v1/screening/assessments/<assessment_id>": Rule(CASE_TEAM),
    "api/v1/screening/assessments/<assessment_id>/answers": Rule(
        LOGGED_IN, methods=("put",), anonymous_only=True
    ),
    "api/v1/screening/assessments/<assessment_id>/events": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/screening/assessments/<assessment_id>/profile": Rule(CASE_TEAM),
    "api/v1/screening/assessments/<assessment_id>/proposals": Rule(CASE_TEAM),
    "api/v1/screening/assessments/<assessment_id>/finalise": Rule(CASE_TEAM, methods=("post",)),
    "api/v1/screening/assessments/<assessment_id>/plan": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    # referrals: the recipient (provider_b) reaches only the packet of a referral sent to B
    "referrals/directory/": Rule(DIRECTORY),
    "referrals/directory/manage/": Rule(both("org_admin")),
    "referrals/directory/providers/<uuid:provider_uuid>/services/new/": Rule(
        frozenset({"org_admin_b"})
    ),
    "referrals/directory/services/<uuid:service_uuid>/": Rule(DIRECTORY),
    "referrals/directory/services/<uuid:service_uuid>/edit/": Rule(frozenset({"org_admin_b"})),
    "referrals/download/<str:token>/": Rule(frozenset()),  # a wrong token is not found for anyone
    "referrals/new/": Rule(CASE_TEAM, query="case_service"),
    "referrals/sent/": Rule(PERSON_READERS),
    "referrals/inbox/": Rule(both("provider")),
    "referrals/inbox/<uuid:referral_id>/": Rule(frozenset({"provider_b"})),
    "referrals/board/": Rule(both("supervisor")),
    "referrals/notifications/": Rule(LOGGED_IN),
    "referrals/notifications/read/": Rule(LOGGED_IN, methods=("post",)),
    "referrals/notifications/count/": Rule(LOGGED_IN),
    "referrals/transfers/": Rule(both("supervisor")),
    "referrals/transfers/new/": Rule(frozenset({"supervisor"}), query="case"),
    "referrals/transfers/<uuid:transfer_id>/": Rule(frozenset({"supervisor", "supervisor_b"})),
    "referrals/transfers/<uuid:transfer_id>/accept/": Rule(
        frozenset({"supervisor_b"}), methods=("post",)
    ),
    "referrals/transfers/<uuid:transfer_id>/decline/": Rule(
        frozenset({"supervisor_b"}), methods=("post",)
    ),
    "referrals/<uuid:referral_id>/": Rule(CASE_TEAM),
    # The thread: both sides of the open referral; a third organisation gets 404.
    "referrals/<uuid:referral_id>/messages/": Rule(
        CASE_TEAM | {"provider_b"}, methods=("get", "post")
    ),
    # The receiving organisation's own records of closed referrals.
    "referrals/delivered/": Rule(both("provider")),
    "referrals/delivered/<uuid:record_id>/": Rule(frozenset({"provider_b"})),
    # Sender and recipient share the action URL; which action each side may take is tested in
    # salama/referrals/tests.
    "referrals/<uuid:referral_id>/<str:action>/": Rule(
        CASE_TEAM | {"provider_b"}, methods=("post",)
    ),
    # assistance
    "assistance/case/<uuid:case_id>/": Rule(CASE_TEAM),
    "assistance/approvals/": Rule(both("supervisor")),
    "assistance/funds/": Rule(both("supervisor", "org_admin")),
    "assistance/funds/new/": Rule(both("org_admin")),
    "assistance/funds/<uuid:fund_id>/": Rule(frozenset({"supervisor", "org_admin"})),
    "assistance/funds/<uuid:fund_id>/deposit/": Rule(frozenset({"org_admin"}), methods=("post",)),
    "assistance/funds/<uuid:fund_id>/settings/": Rule(frozenset({"org_admin"}), methods=("post",)),
    "assistance/items/<uuid:item_id>/approve/": Rule(frozenset({"supervisor"}), methods=("post",)),
    "assistance/items/<uuid:item_id>/reject/": Rule(frozenset({"supervisor"}), methods=("post",)),
    "assistance/items/<uuid:item_id>/disburse/": Rule(
        frozenset({"supervisor", "org_admin"}), methods=("post",)
    ),
    # The fund's managers cancel too: an item drawn on their fund is their organisation's money.
    "assistance/items/<uuid:item_id>/cancel/": Rule(CASE_TEAM | {"org_admin"}, methods=("post",)),
    # field forms: form managers (supervisor, org admin) and the review queue (case team)
    "fieldforms/": Rule(both("supervisor", "org_admin")),
    "fieldforms/forms/<uuid:form_id>/": Rule(frozenset({"supervisor", "org_admin"})),
    "fieldforms/versions/<uuid:version_id>/mapping/": Rule(
        frozenset({"supervisor", "org_admin"}), methods=("post",)
    ),
    "fieldforms/versions/<uuid:version_id>/media/": Rule(
        frozenset({"supervisor", "org_admin"}), methods=("post",)
    ),
    "fieldforms/devices/": Rule(both("supervisor", "org_admin")),
    "fieldforms/devices/<uuid:app_user_id>/revoke/": Rule(
        frozenset({"supervisor", "org_admin"}), methods=("post",)
    ),
    "fieldforms/review/": Rule(PERSON_READERS),
    "fieldforms/review/<uuid:submission_id>/": Rule(CASE_TEAM | {"caseworker2"}),
    "fieldforms/review/<uuid:submission_id>/files/<str:name>": Rule(CASE_TEAM | {"caseworker2"}),
    "fieldforms/review/<uuid:submission_id>/accept/": Rule(
        CASE_TEAM | {"caseworker2"}, methods=("post",)
    ),
    "fieldforms/review/<uuid:submission_id>/reject/": Rule(
        CASE_TEAM | {"caseworker2"}, methods=("post",)
    ),
    # OpenRosa: a device's token is the only credential; no login reaches these (tested in
    # salama/fieldforms/tests/test_collect.py with a real token)
    "fieldforms/key/<str:token>/formList": Rule(frozenset()),
    "fieldforms/key/<str:token>/forms/<str:form_id>/form.xml": Rule(frozenset()),
    "fieldforms/key/<str:token>/forms/<str:form_id>/manifest": Rule(frozenset()),
    "fieldforms/key/<str:token>/forms/<str:form_id>/media/<str:filename>": Rule(frozenset()),
    "fieldforms/key/<str:token>/submission": Rule(frozenset(), methods=("post",)),
    # API: referrals and assistance
    "api/v1/referrals/": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/referrals/directory": Rule(DIRECTORY),
    "api/v1/referrals/inbox": Rule(both("provider")),
    "api/v1/referrals/sent": Rule(PERSON_READERS),
    "api/v1/referrals/<referral_id>": Rule(CASE_TEAM),
    "api/v1/referrals/<referral_id>/packet": Rule(frozenset({"provider_b"})),
    "api/v1/referrals/<referral_id>/messages": Rule(CASE_TEAM | {"provider_b"}),
    "api/v1/referrals/delivered": Rule(both("provider")),
    "api/v1/referrals/<referral_id>/<action>": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/referrals/transfers/": Rule(both("supervisor")),
    "api/v1/referrals/transfers/<transfer_id>": Rule(frozenset({"supervisor", "supervisor_b"})),
    "api/v1/referrals/transfers/<transfer_id>/accept": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/referrals/transfers/<transfer_id>/decline": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/fieldforms/forms": Rule(both("supervisor", "org_admin")),
    "api/v1/fieldforms/forms/<form_id>/versions": Rule(frozenset({"supervisor", "org_admin"})),
    "api/v1/fieldforms/submissions": Rule(PERSON_READERS),
    "api/v1/fieldforms/submissions/<submission_id>/accept": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/fieldforms/submissions/<submission_id>/reject": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/assistance/approvals": Rule(both("supervisor")),
    "api/v1/assistance/funds": Rule(both("supervisor", "org_admin")),
    "api/v1/assistance/funds/<fund_id>": Rule(frozenset({"supervisor", "org_admin"})),
    "api/v1/assistance/funds/<fund_id>/deposits": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/assistance/cases/<case_id>/items": Rule(CASE_TEAM),
    "api/v1/assistance/items/<item_id>/approve": Rule(frozenset({"supervisor"}), methods=("post",)),
    "api/v1/assistance/items/<item_id>/reject": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/assistance/items/<item_id>/disburse": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/assistance/items/<item_id>/cancel": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    # integrations: an organisation administrator's own
    "integrations/": Rule(both("org_admin")),
    "integrations/new/": Rule(both("org_admin")),
    "integrations/<uuid:integration_id>/": Rule(frozenset({"org_admin"})),
    "integrations/<uuid:integration_id>/settings/": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    "integrations/<uuid:integration_id>/secret/": Rule(frozenset({"org_admin"}), methods=("post",)),
    "integrations/<uuid:integration_id>/test/": Rule(frozenset({"org_admin"}), methods=("post",)),
    "integrations/deliveries/<uuid:delivery_id>/resend/": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    # imports: who registers persons and opens cases; an import is its uploader's only
    "integrations/imports/": Rule(PERSON_READERS),
    "integrations/imports/<uuid:job_id>/": Rule(frozenset({"caseworker"})),
    "integrations/imports/<uuid:job_id>/mapping/": Rule(
        frozenset({"caseworker"}), methods=("post",)
    ),
    "integrations/imports/<uuid:job_id>/run/": Rule(frozenset({"caseworker"}), methods=("post",)),
    "integrations/imports/<uuid:job_id>/progress/": Rule(frozenset({"caseworker"})),
    "api/v1/imports": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/imports/<job_id>": Rule(frozenset({"caseworker"})),
    "api/v1/imports/<job_id>/mapping": Rule(LOGGED_IN, methods=("put",), anonymous_only=True),
    "api/v1/imports/<job_id>/run": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/integrations": Rule(both("org_admin")),
    "api/v1/integrations/events": Rule(both("org_admin")),
    "api/v1/integrations/<integration_id>": Rule(frozenset({"org_admin"})),
    "api/v1/integrations/<integration_id>/secret": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    "api/v1/integrations/<integration_id>/test": Rule(frozenset({"org_admin"}), methods=("post",)),
    "api/v1/integrations/<integration_id>/deliveries": Rule(frozenset({"org_admin"})),
    "api/v1/integrations/deliveries/<delivery_id>/resend": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    # evidence: anonymised releases (requested by the data officer; approved by the org admin)
    "evidence/releases/": Rule(both("data_officer", "org_admin")),
    "evidence/releases/<uuid:release_id>/": Rule(frozenset({"data_officer", "org_admin"})),
    "evidence/releases/<uuid:release_id>/decide/": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    "evidence/releases/<uuid:release_id>/download/": Rule(frozenset({"data_officer", "org_admin"})),
    "evidence/privacy/": Rule(both("data_officer", "org_admin")),
    "evidence/factors/": Rule(both("data_officer", "org_admin")),
    "evidence/privacy/<uuid:entry_id>/": Rule(frozenset({"data_officer", "org_admin"})),
    "api/v1/evidence/releases": Rule(both("data_officer", "org_admin")),
    "api/v1/evidence/releases/<release_id>": Rule(frozenset({"data_officer", "org_admin"})),
    "api/v1/evidence/releases/<release_id>/approve": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/evidence/releases/<release_id>/reject": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/evidence/releases/<release_id>/download": Rule(
        frozenset({"data_officer", "org_admin"})
    ),
    # evidence: the analysts' API (DP tables against the ε ledger; factor analysis by region)
    "api/v1/evidence/privacy": Rule(both("data_officer", "org_admin")),
    "api/v1/evidence/privacy/tables": Rule(LOGGED_IN, methods=("post",), anonymous_only=True),
    "api/v1/evidence/privacy/tables/<table_id>": Rule(frozenset({"data_officer", "org_admin"})),
    "api/v1/evidence/factors": Rule(both("data_officer", "org_admin")),
    "api/v1/evidence/dashboard/tables/<table_key>/download": Rule(EVIDENCE),
    # returns
    "returns/": Rule(PERSON_READERS),
    "returns/case/<uuid:case_id>/open/": Rule(CASE_TEAM, methods=("post",)),
    "returns/<uuid:journey_id>/step/<slug:step>/": Rule(CASE_TEAM, methods=("post",)),
    "returns/<uuid:journey_id>/handover/": Rule(CASE_TEAM, methods=("post",)),
    "returns/<uuid:journey_id>/reintegration/": Rule(CASE_TEAM, methods=("post",)),
    # The receiving organisation, on its open referral's packet.
    "returns/reception/<uuid:referral_id>/": Rule(frozenset({"provider_b"}), methods=("post",)),
    "api/v1/returns/journeys": Rule(PERSON_READERS),
    "api/v1/returns/journeys/<journey_id>": Rule(CASE_TEAM),
    "api/v1/returns/cases/<case_id>/journeys": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/returns/journeys/<journey_id>/steps/<step>": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/returns/journeys/<journey_id>/reception-referral": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/returns/receptions/<referral_id>": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    # GET here; the POST is checked in salama/returns/tests/test_api.py
    "api/v1/returns/journeys/<journey_id>/reintegration-plan": Rule(CASE_TEAM),
    # evidence: dashboards for case teams (exact) and statistics roles (aggregates), never for a
    # service provider; an export reaches only the person who asked for it (data officer A's)
    "evidence/": Rule(EVIDENCE),
    "evidence/table/": Rule(EVIDENCE),
    "evidence/exports/": Rule(EVIDENCE, methods=("get", "post")),
    "evidence/exports/<uuid:export_id>/status/": Rule(frozenset({"data_officer"})),
    "evidence/exports/<uuid:export_id>/download/": Rule(frozenset({"data_officer"})),
    "evidence/indicators/": Rule(EVIDENCE),
    "evidence/indicators/sdg-16-2-2.csv": Rule(EVIDENCE),
    "evidence/indicators/population/": Rule(
        both("supervisor", "data_officer", "org_admin"), methods=("post",)
    ),
    "api/v1/evidence/dashboard": Rule(EVIDENCE),
    "api/v1/evidence/indicators": Rule(EVIDENCE),
    "api/v1/evidence/exports": Rule(EVIDENCE),
    "api/v1/evidence/exports/<export_id>": Rule(frozenset({"data_officer"})),
    "api/v1/evidence/exports/<export_id>/download": Rule(frozenset({"data_officer"})),
    # returns: reintegration monitoring. The reception referral's recipient (provider_b) records
    # the visits and never reaches the case; the case team reads the scores and schedules; the
    # programme view is for those with stats.view, its settings for organisation administrators.
    "returns/programme/": Rule(both("supervisor", "data_officer", "org_admin")),
    "returns/programme/settings/": Rule(both("org_admin")),
    "returns/monitoring/referrals/<uuid:referral_id>/": Rule(frozenset({"provider_b"})),
    "returns/monitoring/cases/<uuid:case_id>/schedule/": Rule(CASE_TEAM, methods=("post",)),
    "returns/monitoring/visits/<uuid:visit_id>/": Rule(frozenset({"provider_b"})),
    "returns/monitoring/visits/<uuid:visit_id>/lost-contact/": Rule(frozenset({"provider_b"})),
    "returns/monitoring/visits/<uuid:visit_id>/cancel/": Rule(
        frozenset({"provider_b"}), methods=("post",)
    ),
    "api/v1/returns/monitoring/questionnaire": Rule(LOGGED_IN),
    "api/v1/returns/monitoring/cases/<case_id>": Rule(CASE_TEAM),
    "api/v1/returns/monitoring/referrals/<referral_id>": Rule(frozenset({"provider_b"})),
    "api/v1/returns/monitoring/cases/<case_id>/schedule": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/returns/monitoring/visits/<visit_id>/record": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/returns/monitoring/visits/<visit_id>/lost-contact": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/returns/monitoring/visits/<visit_id>/cancel": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/returns/programme": Rule(both("supervisor", "data_officer", "org_admin")),
    # tracing: the list for those who read cases and persons; the rest through the case
    "tracing/": Rule(PERSON_READERS),
    "tracing/case/<uuid:case_id>/new/": Rule(CASE_TEAM, methods=("get", "post")),
    "tracing/requests/<uuid:tracing_id>/": Rule(CASE_TEAM),
    "tracing/requests/<uuid:tracing_id>/edit/": Rule(CASE_TEAM, methods=("post",)),
    "tracing/requests/<uuid:tracing_id>/close/": Rule(CASE_TEAM, methods=("post",)),
    "tracing/matches/<uuid:match_id>/": Rule(CASE_TEAM),
    "tracing/matches/<uuid:match_id>/confirm/": Rule(CASE_TEAM, methods=("post",)),
    "tracing/matches/<uuid:match_id>/reject/": Rule(CASE_TEAM, methods=("post",)),
    "tracing/matches/<uuid:match_id>/steps/add/": Rule(CASE_TEAM, methods=("post",)),
    "api/v1/tracing/requests": Rule(PERSON_READERS),
    # GET here; the PUT is checked in salama/tracing/tests/test_api.py
    "api/v1/tracing/requests/<tracing_id>": Rule(CASE_TEAM),
    "api/v1/tracing/matches/<match_id>": Rule(CASE_TEAM),
    "api/v1/tracing/cases/<case_id>/requests": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/tracing/requests/<tracing_id>/close": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    "api/v1/tracing/matches/<match_id>/confirm": Rule(CASE_TEAM, methods=("post",)),
    "api/v1/tracing/matches/<match_id>/reject": Rule(CASE_TEAM, methods=("post",)),
    "api/v1/tracing/matches/<match_id>/steps": Rule(
        LOGGED_IN, methods=("post",), anonymous_only=True
    ),
    # matching: duplicate checks for supervisors of the organisation; agreements for the
    # administrators of either side (B proposed to A: only A accepts, both may end it).
    "matching/runs/": Rule(both("supervisor"), methods=("get", "post")),
    "matching/runs/<uuid:run_id>/": Rule(frozenset({"supervisor"})),
    "matching/runs/<uuid:run_id>/progress/": Rule(frozenset({"supervisor"})),
    "matching/agreements/": Rule(both("org_admin"), methods=("get", "post")),
    "matching/agreements/<uuid:agreement_id>/accept/": Rule(
        frozenset({"org_admin"}), methods=("post",)
    ),
    "matching/agreements/<uuid:agreement_id>/end/": Rule(
        frozenset({"org_admin", "org_admin_b"}), methods=("post",)
    ),
    "api/v1/matching/runs": Rule(both("supervisor")),
    "api/v1/matching/runs/<run_id>": Rule(frozenset({"supervisor"})),
}
# The Django admin is for system administrators only and is checked separately below.
IGNORED_PREFIXES = ("system-admin/",)


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def all_patterns() -> list[str]:
    return sorted(
        {p for p in _walk(get_resolver().url_patterns) if not p.startswith(IGNORED_PREFIXES)}
    )


def test_every_url_is_in_the_matrix() -> None:
    missing = [p for p in all_patterns() if p not in EXPECTED]
    assert not missing, f"URLs with no entry in the authorisation matrix: {missing}"
    stale = [p for p in EXPECTED if p not in all_patterns()]
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


# The world ------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    objects: dict[str, str] = field(default_factory=dict)
    # Each user's session after a two-factor log-in, made once for the module (see `client`).
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def client(self, who: str) -> Client:
        """A new client for `who` with a new session holding what their log-in left in one.

        As good as `verified_client` for what a URL admits, without a log-in per request (the
        log-in's audit entry and membership choice were a third of this module's time)."""
        user = self.users.get(who)
        if user is None:
            return Client()
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session.update(self.sessions[who])
        session.create()
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        return client


def build_world() -> World:
    from salama.cases import services as cases
    from salama.people import services as people
    from salama.people.models import CONSENT_CHECKLIST
    from salama.screening import services as screening

    ngo_a = Organisation.objects.create(
        name="Matrix NGO A", org_type="NGO", country="JO", reference_prefix="MTXA"
    )
    ngo_b = Organisation.objects.create(
        name="Matrix NGO B", org_type="NGO", country="KE", reference_prefix="MTXB"
    )
    users = {
        "caseworker": make_user(ngo_a, Role.CASEWORKER, "m-cw@a.example"),
        "caseworker2": make_user(ngo_a, Role.CASEWORKER, "m-cw2@a.example"),
        "supervisor": make_user(ngo_a, Role.SUPERVISOR, "m-sup@a.example"),
        "provider": make_user(ngo_a, Role.SERVICE_PROVIDER, "m-prov@a.example"),
        "data_officer": make_user(ngo_a, Role.DATA_OFFICER, "m-data@a.example"),
        "org_admin": make_user(ngo_a, Role.ORG_ADMIN, "m-admin@a.example"),
        "caseworker_b": make_user(ngo_b, Role.CASEWORKER, "m-cw@b.example"),
        "supervisor_b": make_user(ngo_b, Role.SUPERVISOR, "m-sup@b.example"),
        "provider_b": make_user(ngo_b, Role.SERVICE_PROVIDER, "m-prov@b.example"),
        "data_officer_b": make_user(ngo_b, Role.DATA_OFFICER, "m-data@b.example"),
        "org_admin_b": make_user(ngo_b, Role.ORG_ADMIN, "m-admin@b.example"),
    }
    cw = Principal(
        user=users["caseworker"], membership=users["caseworker"].memberships.first(), verified=True
    )
    person = people.register_person(
        actor=cw, given_name="Samira", family_name="Haddad", date_of_birth=dt.date(1995, 3, 4)
    )
    consent = people.record_consent(
        actor=cw,
        person=person,
        purpose="assistance",
        method="written",
        given_on=timezone.localdate(),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
    )
    png = samples.png_bytes()
    people.set_photo(
        actor=cw, person=person, upload=SimpleUploadedFile("p.png", png, content_type="image/png")
    )
    person.refresh_from_db()
    case = cases.open_case(actor=cw, person=person, case_type="trafficking")
    attachment = cases.add_attachment(
        actor=cw,
        case=case,
        upload=SimpleUploadedFile("note.txt", b"hello", content_type="text/plain"),
    )
    task = cases.add_task(actor=cw, case=case, title="Call back")
    item = cases.add_plan_item(actor=cw, case=case, goal="Safety", action="Find a shelter place")
    request = cases.assign_case(actor=cw, case=case, to_user=users["caseworker2"])
    # assign_case hands over directly unless approval is required; give the case back to keep
    # caseworker A assigned and keep a pending request around for the decide URL.
    ngo_a.reassignment_needs_approval = True
    ngo_a.save()
    case.refresh_from_db()
    sup = Principal(
        user=users["supervisor"], membership=users["supervisor"].memberships.first(), verified=True
    )
    cases.assign_case(actor=sup, case=case, to_user=users["caseworker"])
    case.refresh_from_db()
    request = cases.assign_case(actor=cw, case=case, to_user=users["caseworker2"])
    scr = screening.start_screening(
        actor=cw, case=case, exploitation="labour", age_at_recruitment=25
    )
    assessment = screening.start_assessment(actor=cw, case=case)
    from salama.cases import exploitation

    perpetrator = exploitation.add_perpetrator(
        actor=cw, case=case, data=exploitation.PerpetratorInput(alias="The driver")
    )
    decision = screening.record_identification_decision(
        actor=sup,
        case=case,
        step="reasonable_grounds",
        decided_by_org_type="Police",
        authority_name="Anti-trafficking unit",
        decided_on=timezone.localdate(),
        outcome="negative",
    )
    reconsideration = screening.request_reconsideration(
        actor=sup,
        decision=decision,
        kind="reconsideration",
        requested_on=timezone.localdate(),
        requested_by="person",
    )
    case.refresh_from_db()
    # A household: the person's child (registered, no case), a link, a guardian record and a
    # best-interests assessment on the case (made directly: the matrix is about access only).
    from salama.cases.best_interests_models import BestInterestsAssessment
    from salama.people import household
    from salama.people.household_models import Guardian

    child = people.register_person(actor=cw, given_name="Rami", estimated_age=9)
    link = household.link_household(actor=cw, person=person, other=child, relationship="parent")
    guardian = Guardian.objects.create(
        child=person, kind="relative", name="An aunt", organisation=ngo_a, created_by=cw.user
    )
    bia = BestInterestsAssessment.objects.create(
        case=case, assessed_on=timezone.localdate(), assessed_by=cw.user
    )
    token, _secret = create_api_token(actor=cw, name="matrix", scopes=["case.view"])
    # A referral from caseworker A's case to a shelter of organisation B (the recipient side of
    # the matrix), a transfer request to B, and a fund with one requested item.
    from salama.assistance import services as assistance
    from salama.referrals import services as referrals
    from salama.referrals.models import Service
    from salama.referrals.services import ensure_provider

    service = Service.objects.create(
        provider=ensure_provider(ngo_b),
        name="B shelter",
        service_type="accommodation",
        country="KE",
    )
    people.record_consent(
        actor=cw,
        person=person,
        purpose="referral",
        method="written",
        given_on=timezone.localdate(),
        checklist={key: True for key, _label in CONSENT_CHECKLIST},
        recipient=ngo_b,
    )
    referral = referrals.send_referral(
        actor=cw, case=case, service=service, packet_fields=["age_band"], purpose_note="Shelter"
    )
    transfer = referrals.request_transfer(
        actor=sup, case=case, to_org=ngo_b, packet_fields=["age_band"], reason="Moving to Kenya"
    )
    declined = referrals.send_referral(
        actor=cw, case=case, service=service, packet_fields=["age_band"], purpose_note="Bed"
    )
    prov_b = Principal(
        user=users["provider_b"], membership=users["provider_b"].memberships.first(), verified=True
    )
    referrals.decline_referral(actor=prov_b, referral=declined, reason="Full", expected_version=1)
    admin = Principal(
        user=users["org_admin"], membership=users["org_admin"].memberships.first(), verified=True
    )
    from salama.accounts.services import invite_member

    invitation = invite_member(
        actor=admin, organisation=ngo_a, email="m-invited@a.example", role=Role.CASEWORKER
    )
    fund = assistance.create_fund(
        actor=admin, name="Emergency", kind="last_resort", currency="USD", approval_threshold=500
    )
    assistance.deposit(actor=admin, fund=fund, amount=1000)
    item = assistance.request_assistance(
        actor=cw,
        case=case,
        service_type="accommodation",
        description="Two nights",
        quantity=2,
        unit_cost=30,
        service_date=timezone.localdate(),
        fund=fund,
        alternatives_checked=True,
        alternatives_note="No national scheme in reach",
    )
    from salama.integrations.tests.factories import make_integration

    integration, webhook_delivery = make_integration(ngo_a)
    from salama.integrations.import_services import create_import

    import_job = create_import(actor=cw, file_name="people.csv", content=b"given_name\nAmina\n")
    from salama.returns.services import open_journey

    journey = open_journey(actor=cw, case=case, country="KE")
    from salama.returns.monitoring import _create_schedule

    monitored = _create_schedule(  # received by B through the referral: B records the visits
        case,
        arrived_on=timezone.localdate() - dt.timedelta(days=200),
        country="KE",
        reception_referral=referral,
        created_by=None,
    )
    objects = {
        "journey_id": str(journey.pk),
        "step": "counsel",
        "person_id": str(person.pk),
        "consent_id": str(consent.pk),
        "case_id": str(case.pk),
        "attachment_id": str(attachment.pk),
        "task_id": str(task.pk),
        "item_id": str(item.pk),
        "request_id": str(request.pk),
        "screening_id": str(scr.pk),
        "assessment_id": str(assessment.pk),
        "perpetrator_id": str(perpetrator.pk),
        "link_id": str(link.pk),
        "guardian_id": str(guardian.pk),
        "bia_id": str(bia.pk),
        "decision_id": str(decision.pk),
        "reconsideration_id": str(reconsideration.pk),
        "token_uuid": str(token.uuid),
        "referral_id": str(referral.pk),
        "transfer_id": str(transfer.pk),
        "record_id": str(declined.delivery_record.pk),
        "service_uuid": str(service.uuid),
        "provider_uuid": str(service.provider.uuid),
        "fund_id": str(fund.uuid),
        "assistance_item_id": str(item.pk),
        "action": "acknowledge",
        "membership_uuid": str(users["caseworker2"].memberships.first().uuid),
        "invitation_id": str(invitation.id),
        "release_id": _matrix_release(users["data_officer"]),
        "entry_id": _matrix_dp_table(users["data_officer"]),
        "table_id": _matrix_dp_table(users["data_officer"]),
        "table_key": "stage",
        "uidb64": "MQ",
        "token": "abc-def",
        "integration_id": str(integration.uuid),
        "delivery_id": str(webhook_delivery.uuid),
        "job_id": str(import_job.pk),
        **_field_forms_objects(sup),
        "export_id": _evidence_export(users["data_officer"], ngo_a),
        "visit_id": str(monitored.visits.order_by("month").first().pk),
        **_review_objects(cw, sup, users["caseworker_b"]),
        **__import__("salama.tracing.tests.world", fromlist=["w"]).tracing_url_objects(cw),
        **_matching_objects(users, ngo_a, ngo_b),
    }
    return World(users=users, objects=objects)


def _review_objects(cw: Principal, sup: Principal, caseworker_b: User) -> dict[str, str]:
    from conftest import principal
    from salama.matching.tests.review_factories import review_world

    made = review_world(cw, sup, principal(caseworker_b))
    return {"pair_id": str(made["review_pair"].pk), "merge_id": str(made["review_merge"].pk)}


def _matching_objects(
    users: dict[str, User], ngo_a: Organisation, ngo_b: Organisation
) -> dict[str, str]:
    """A finished run of A and an agreement B proposed to A (made directly)."""
    from salama.matching.models import MatchingAgreement, MatchRun

    run = MatchRun.objects.create(
        organisation=ngo_a, requested_by=users["supervisor"], status="finished", progress=100
    )
    agreement = MatchingAgreement.objects.create(
        proposer=ngo_b, partner=ngo_a, proposed_by=users["org_admin_b"]
    )
    return {"run_id": str(run.pk), "agreement_id": str(agreement.pk)}


def _matrix_release(data_officer: User) -> str:
    from conftest import principal
    from salama.evidence.release_services import request_release

    return str(request_release(actor=principal(data_officer), k=11, purpose="CTDC").pk)


def _matrix_dp_table(data_officer: User) -> str:
    from conftest import principal
    from salama.evidence.privacy_services import publish_dp_table

    entry = publish_dp_table(actor=principal(data_officer), dimensions=["gender"], epsilon=0.1)
    return str(entry.pk)


def _field_forms_objects(sup: Principal) -> dict[str, str]:
    """A field form of A, a device, and a submission with a photo waiting for review."""
    from salama.fieldforms import services as fieldforms
    from salama.fieldforms.tests.workbooks import simple_form

    version = fieldforms.upload_form(actor=sup, content=simple_form(), filename="intake.xlsx")
    app_user, _token = fieldforms.create_app_user(actor=sup, name="Phone", forms=[version.form])
    xml = (
        b'<data id="intake" version="1"><given_name>Samir</given_name><sex>male</sex>'
        b"<photo>face.jpg</photo><meta><instanceID>uuid:matrix-1</instanceID></meta></data>"
    )
    submission = fieldforms.receive_submission(
        app_user=app_user, xml=xml, files={"face.jpg": b"\xff\xd8\xff photo"}
    ).submission
    return {
        "form_id": str(version.form.pk),
        "version_id": str(version.pk),
        "app_user_id": str(app_user.pk),
        "submission_id": str(submission.pk),
        "name": "face.jpg",
        "filename": "logo.png",
    }


def _evidence_export(user: User, organisation: Organisation) -> str:
    """A finished export asked for by `user` (made directly: the matrix is about access)."""
    from salama.evidence.dashboard_models import ExportJob

    job = ExportJob.objects.create(
        organisation=organisation, requested_by=user, dataset="cases", fmt="csv"
    )
    return str(job.pk)


def fill(pattern: str, objects: dict[str, str]) -> str:
    import re

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "item_id" and "assistance" in pattern:
            return objects["assistance_item_id"]
        return objects[name]

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", replace, pattern)


def denied(response: Any) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302:
        location = response.headers.get("Location", "")
        return "/accounts/login/" in location
    return False


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """One world for the whole module; each test runs in a savepoint that is rolled back."""
    media = str(tmp_path_factory.mktemp("matrix-media"))
    with (
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
        transaction.atomic(using="keys"),  # the key store is a database of its own
    ):
        world = build_world()
        for who, user in world.users.items():
            world.sessions[who] = dict(verified_client(user).session.items())
        yield world
        transaction.set_rollback(True, using="keys")
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", sorted(EXPECTED))
def test_url_admits_exactly_the_expected_roles(pattern: str, world: World) -> None:
    if pattern not in all_patterns():
        pytest.fail(f"{pattern} is in the matrix but not in the URL configuration")
    rule = EXPECTED[pattern]
    url = fill(pattern, world.objects)
    if rule.query == "person":
        url += f"?person={world.objects['person_id']}"
    elif rule.query == "case":
        url += f"?case={world.objects['case_id']}"
    elif rule.query == "case_service":
        url += f"?case={world.objects['case_id']}&service={world.objects['service_uuid']}"
    mismatches = []
    for who in sorted(EVERYONE):
        user = world.users.get(who)
        if rule.anonymous_only and user is not None:
            continue
        for method in rule.methods:
            client = world.client(who)
            data = rule.data(world.objects, user) if rule.data else {}
            response = getattr(client, method)(url, data)
            got_through = not denied(response) or (
                # A 302 to the log-in page is what success looks like here; only roles the
                # matrix admits are read that way (anonymous log-out-everywhere stays denied).
                rule.login_redirect_is_success
                and who in rule.allowed
                and response.status_code == 302
            )
            expected = who in rule.allowed
            if got_through != expected:
                mismatches.append(
                    f"{who} {method.upper()} → {response.status_code} (expected {'through' if expected else 'denied'})"
                )
    assert not mismatches, f"{pattern}: " + "; ".join(mismatches)


def test_django_admin_is_for_system_administrators_only(
    caseworker_a: User, admin_user: User
) -> None:
    assert verified_client(caseworker_a).get("/system-admin/").status_code == 302
    assert verified_client(admin_user).get("/system-admin/").status_code == 200

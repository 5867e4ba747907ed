"""Roles and what each may do: the role → permission map, as data, in one place.

The policy module (salama.core.policy) is the only reader of this map. A permission not granted
here is denied. Scopes of API tokens are a subset of the same permission names.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    DATA_OFFICER = "data_officer", _("Data officer")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class Perm(models.TextChoices):
    # Identifying data about data subjects.
    PERSON_VIEW = "person.view", _("View persons the policy lets you see")
    PERSON_CREATE = "person.create", _("Register persons")
    PERSON_CHANGE = "person.change", _("Change persons")
    PERSON_ERASE = "person.erase", _("Erase persons (crypto-shred)")
    CASE_VIEW = "case.view", _("View assigned cases")
    CASE_VIEW_ALL = "case.view_all", _("View every case of the organisation")
    CASE_CREATE = "case.create", _("Open cases")
    CASE_CHANGE = "case.change", _("Work on cases")
    CASE_ASSIGN = "case.assign", _("Assign and reassign cases")
    CASE_APPROVE = "case.approve", _("Approve assessments, case plans, closures and reassignments")
    CONSENT_RECORD = "consent.record", _("Record and withdraw consent")
    IDENTIFICATION_RECORD = (
        "identification.record",
        _("Record a competent authority's identification decisions and their reconsideration"),
    )
    REFERRAL_RECEIVE = "referral.receive", _("Receive referrals for the organisation")
    REFERRAL_SEND = "referral.send", _("Refer persons of visible cases to services")
    REFERRAL_EMERGENCY_OVERRIDE = (
        "referral.emergency_override",
        _("Send a referral without consent in an emergency, with a written reason"),
    )
    CASE_TRANSFER = (
        "case.transfer",
        _("Request and accept transfers of cases between organisations"),
    )
    ASSISTANCE_APPROVE = (
        "assistance.approve",
        _("Approve, reject and record payment of assistance drawn on funds"),
    )
    FUND_MANAGE = "fund.manage", _("Create funds, top them up and record payments")
    # Aggregates and administration.
    STATS_VIEW = "stats.view", _("View anonymised statistics")
    AUDIT_VIEW = "audit.view", _("Read the organisation's audit trail")
    RETENTION_MANAGE = "retention.manage", _("Run retention and see its reports")
    ORG_MANAGE_USERS = "org.manage_users", _("Manage the organisation's users and roles")
    ORG_MANAGE_SETTINGS = "org.manage_settings", _("Change the organisation's settings")
    SYSTEM_MANAGE = "system.manage", _("Manage organisations and the whole system")
    RELEASE_REQUEST = "release.request", _("Request anonymised (k-anonymous) case releases")
    RELEASE_APPROVE = (
        "release.approve",
        _("Approve anonymised case releases another person requested"),
    )
    FORMS_MANAGE = (
        "forms.manage",
        _("Upload field forms, map them to records and enrol devices (app users)"),
    )
    MATCHING_REVIEW = (
        "matching.review",
        _("Review possible duplicates, merge persons and undo merges"),
    )
    MATCHING_RUN = (
        "matching.run",
        _("Run batch duplicate detection over the organisation's persons"),
    )


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CASEWORKER: frozenset(
        {
            Perm.PERSON_VIEW,
            Perm.PERSON_CREATE,
            Perm.PERSON_CHANGE,
            Perm.CASE_VIEW,
            Perm.CASE_CREATE,
            Perm.CASE_CHANGE,
            Perm.CONSENT_RECORD,
            Perm.REFERRAL_SEND,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Perm.PERSON_VIEW,
            Perm.PERSON_CREATE,
            Perm.PERSON_CHANGE,
            Perm.PERSON_ERASE,
            Perm.CASE_VIEW,
            Perm.CASE_VIEW_ALL,
            Perm.CASE_CREATE,
            Perm.CASE_CHANGE,
            Perm.CASE_ASSIGN,
            Perm.CASE_APPROVE,
            Perm.CONSENT_RECORD,
            Perm.IDENTIFICATION_RECORD,
            Perm.STATS_VIEW,
            Perm.AUDIT_VIEW,
            Perm.REFERRAL_SEND,
            Perm.REFERRAL_EMERGENCY_OVERRIDE,
            Perm.CASE_TRANSFER,
            Perm.ASSISTANCE_APPROVE,
            Perm.FORMS_MANAGE,
            Perm.MATCHING_REVIEW,
            Perm.MATCHING_RUN,
        }
    ),
    Role.SERVICE_PROVIDER: frozenset({Perm.REFERRAL_RECEIVE}),
    Role.DATA_OFFICER: frozenset({Perm.STATS_VIEW, Perm.RELEASE_REQUEST}),
    Role.ORG_ADMIN: frozenset(
        {
            Perm.ORG_MANAGE_USERS,
            Perm.ORG_MANAGE_SETTINGS,
            Perm.AUDIT_VIEW,
            Perm.RETENTION_MANAGE,
            Perm.STATS_VIEW,
            Perm.FUND_MANAGE,
            Perm.RELEASE_REQUEST,
            Perm.RELEASE_APPROVE,
            Perm.FORMS_MANAGE,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset(
        {
            Perm.SYSTEM_MANAGE,
            Perm.ORG_MANAGE_USERS,
            Perm.ORG_MANAGE_SETTINGS,
            Perm.AUDIT_VIEW,
            Perm.RETENTION_MANAGE,
            Perm.STATS_VIEW,
        }
    ),
}

# Roles that can reach identifying data (or control who can) must use two-factor login.
# A data officer sees aggregates only and may log in with a password alone.
TWO_FACTOR_ROLES: frozenset[str] = frozenset(
    {Role.CASEWORKER, Role.SUPERVISOR, Role.SERVICE_PROVIDER, Role.ORG_ADMIN, Role.SYSTEM_ADMIN}
)

# Roles an organisation administrator may grant; system administration is granted by the system.
ORG_GRANTABLE_ROLES: tuple[str, ...] = (
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.SERVICE_PROVIDER,
    Role.DATA_OFFICER,
    Role.ORG_ADMIN,
)


def permissions_for(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())

"""The audit trail in words: each entry as a sentence in the reader's language.

An audit entry stores codes (``membership.change_role``, ``{"role": ["caseworker",
"supervisor"]}``) so that the chain stays stable whatever the language; the pages that show it
(the audit trail, a member's history) say it in words: the action's label, each changed field by
its label and each value by its label. Codes are strings, so core needs no import of the apps
that write them; an app whose values are choices registers their labels with
``register_values`` from its AppConfig.ready. An action or field without a label is shown as
its code, so nothing recorded is ever hidden.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core.roles import Role

ACTION_WORDS: dict[str, Promise] = {
    # Signing in and accounts.
    "auth.login": gettext_lazy("Logged in"),
    "auth.login_failed": gettext_lazy("Failed log-in"),
    "auth.logout": gettext_lazy("Logged out"),
    "auth.logout_everywhere": gettext_lazy("Logged out on every device"),
    "auth.password_change": gettext_lazy("Password changed"),
    "auth.password_set": gettext_lazy("Password set"),
    "user.language": gettext_lazy("Language chosen"),
    "auth.two_factor_fail": gettext_lazy("Wrong two-factor code"),
    "auth.two_factor_pass": gettext_lazy("Two-factor code accepted"),
    "two_factor.enrol": gettext_lazy("Authenticator app set up"),
    "two_factor.reset": gettext_lazy("Two-factor authentication reset"),
    "user.create": gettext_lazy("Account created"),
    "api_token.create": gettext_lazy("API token created"),
    "api_token.revoke": gettext_lazy("API token revoked"),
    "session.switch_organisation": gettext_lazy("Switched organisation"),
    "invitation.create": gettext_lazy("Invitation sent"),
    "invitation.resend": gettext_lazy("Invitation sent again"),
    "invitation.revoke": gettext_lazy("Invitation withdrawn"),
    "invitation.expire": gettext_lazy("Invitation expired"),
    "invitation.accept": gettext_lazy("Invitation accepted"),
    "membership.grant": gettext_lazy("Member added"),
    "membership.change_role": gettext_lazy("Role changed"),
    "membership.revoke": gettext_lazy("Access removed"),
    "organisation.create": gettext_lazy("Organisation created"),
    "organisation.change": gettext_lazy("Organisation changed"),
    "keys.rotate": gettext_lazy("Encryption keys rotated"),
    "backup.create": gettext_lazy("Backup archive written"),
    "backup.restore": gettext_lazy("Backup archive restored"),
    "keys.backup": gettext_lazy("Key store backed up"),
    "keys.restore": gettext_lazy("Key store restored from a snapshot"),
    "core.audit": gettext_lazy("Audit trail read"),
    # People.
    "person.create": gettext_lazy("Person registered"),
    "person.update": gettext_lazy("Person's details changed"),
    "person.view": gettext_lazy("Person's record viewed"),
    "person.search": gettext_lazy("People searched"),
    "person.duplicates": gettext_lazy("Possible duplicates checked"),
    "person.add_contact": gettext_lazy("Contact added"),
    "person.add_document": gettext_lazy("Document added"),
    "person.set_photo": gettext_lazy("Photo set"),
    "person.erase": gettext_lazy("Person erased"),
    "person.trafficking_status": gettext_lazy("Trafficking status changed"),
    "consent.record": gettext_lazy("Consent recorded"),
    "consent.withdraw": gettext_lazy("Consent withdrawn"),
    "contacts.phone": gettext_lazy("Phone number looked up"),
    "retention.run": gettext_lazy("Retention run"),
    # Cases.
    "case.open": gettext_lazy("Case opened"),
    "case.view": gettext_lazy("Case viewed"),
    "case.move": gettext_lazy("Stage changed"),
    "case.close": gettext_lazy("Case closed"),
    "case.reopen": gettext_lazy("Case reopened"),
    "case.assign": gettext_lazy("Case assigned"),
    "case.reassign_request": gettext_lazy("Reassignment requested"),
    "case.reassign_decide": gettext_lazy("Reassignment decided"),
    "case.note": gettext_lazy("Note added"),
    "case.attach": gettext_lazy("File attached"),
    "case.attachment_view": gettext_lazy("File opened"),
    "case.task_add": gettext_lazy("Task added"),
    "case.task_status": gettext_lazy("Task status changed"),
    "case.plan_add": gettext_lazy("Plan item added"),
    "case.plan_status": gettext_lazy("Plan item status changed"),
    "case.summary": gettext_lazy("Summary edited"),
    "case.perpetrator_add": gettext_lazy("Perpetrator recorded"),
    "case.perpetrator_change": gettext_lazy("Perpetrator record changed"),
    "case.perpetrator_remove": gettext_lazy("Perpetrator removed"),
    "case.transfer_request": gettext_lazy("Transfer requested"),
    "case.transfer_accept": gettext_lazy("Transfer accepted"),
    "case.transfer_decline": gettext_lazy("Transfer declined"),
    "case.transfer_incoming": gettext_lazy("Case received by transfer"),
    "case.transfer_packet_view": gettext_lazy("Transfer packet read"),
    # Screening.
    "screening.start": gettext_lazy("Screening started"),
    "screening.answer": gettext_lazy("Screening answer saved"),
    "screening.act_recorded": gettext_lazy("Screening: act of trafficking recorded"),
    "screening.finalise": gettext_lazy("Screening finalised"),
    "screening.amend": gettext_lazy("Screening amended"),
    "screening.identification_decision": gettext_lazy("Identification decision recorded"),
    "screening.identification_referral": gettext_lazy("Referred to a competent authority"),
    "screening.reconsideration_request": gettext_lazy("Reconsideration of a decision requested"),
    "screening.reconsideration_decide": gettext_lazy("Outcome of a reconsideration recorded"),
    "domv.start": gettext_lazy("Vulnerability assessment started"),
    "domv.answer": gettext_lazy("Vulnerability assessment answer saved"),
    "domv.event": gettext_lazy("Situational event recorded"),
    "domv.finalise": gettext_lazy("Vulnerability assessment finalised"),
    "domv.amend": gettext_lazy("Vulnerability assessment amended"),
    # Referrals.
    "referral.send": gettext_lazy("Referral sent"),
    "referral.override": gettext_lazy("Referral sent under emergency override"),
    "referral.emergency_override": gettext_lazy("Referral sent under emergency override"),
    "referral.acknowledge": gettext_lazy("Referral acknowledged"),
    "referral.accept": gettext_lazy("Referral accepted"),
    "referral.decline": gettext_lazy("Referral declined"),
    "referral.deliver": gettext_lazy("Service delivered"),
    "referral.complete": gettext_lazy("Referral completed"),
    "referral.withdraw": gettext_lazy("Referral withdrawn"),
    "referral.packet_view": gettext_lazy("Referral packet read"),
    "referral.external_download": gettext_lazy("Referral packet downloaded"),
    "referral.overdue": gettext_lazy("Overdue referral reported"),
    "directory.provider_add": gettext_lazy("Service provider added"),
    # Assistance.
    "assistance.request": gettext_lazy("Assistance requested"),
    "assistance.approve": gettext_lazy("Assistance approved"),
    "assistance.reject": gettext_lazy("Assistance rejected"),
    "assistance.disburse": gettext_lazy("Assistance paid"),
    "assistance.cancel": gettext_lazy("Assistance cancelled"),
    "assistance.low_funds": gettext_lazy("Fund running low"),
    "fund.create": gettext_lazy("Fund created"),
    "fund.deposit": gettext_lazy("Money added to a fund"),
    "fund.update": gettext_lazy("Fund settings changed"),
}

FIELD_WORDS: dict[str, Promise] = {
    "role": gettext_lazy("Role"),
    "is_active": gettext_lazy("Active"),
    "active": gettext_lazy("Active"),
    "user": gettext_lazy("User"),
    "organisation": gettext_lazy("Organisation"),
    "invitation": gettext_lazy("Invitation"),
    "scopes": gettext_lazy("Scopes"),
    "method": gettext_lazy("Method"),
    "devices": gettext_lazy("Devices"),
    "name": gettext_lazy("Name"),
    "reason": gettext_lazy("Reason"),
    "status": gettext_lazy("Status"),
    "stage": gettext_lazy("Stage"),
    "event": gettext_lazy("Event"),
    "closure_reason": gettext_lazy("Reason for closing"),
    "assigned_to": gettext_lazy("Assigned to"),
    "to_user": gettext_lazy("To"),
    "due_on": gettext_lazy("Due"),
    "reflection_ends": gettext_lazy("Reflection period ends"),
    "case_type": gettext_lazy("Case type"),
    "reference": gettext_lazy("Reference"),
    "trafficking_status": gettext_lazy("Trafficking status"),
    "given_name": gettext_lazy("Given name"),
    "family_name": gettext_lazy("Family name"),
    "first_name": gettext_lazy("First name"),
    "second_name": gettext_lazy("Second name"),
    "alias": gettext_lazy("Alias"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "birth_date_accuracy": gettext_lazy("Accuracy of the date of birth"),
    "country": gettext_lazy("Country"),
    "doc_type": gettext_lazy("Document type"),
    "purpose": gettext_lazy("Purpose"),
    "recipient": gettext_lazy("Recipient"),
    "given_on": gettext_lazy("Given on"),
    "expires_on": gettext_lazy("Expires on"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "outcome": gettext_lazy("Outcome"),
    "table": gettext_lazy("Indicator table"),
    "table_version": gettext_lazy("Table version"),
    "exploitation": gettext_lazy("Form of exploitation"),
    "act_recorded": gettext_lazy("Act recorded"),
    "indicator": gettext_lazy("Indicator"),
    "value": gettext_lazy("Answer"),
    "source": gettext_lazy("Source"),
    "decision": gettext_lazy("Decision"),
    "decided_on": gettext_lazy("Decided on"),
    "referred_on": gettext_lazy("Referred on"),
    "requested_on": gettext_lazy("Requested on"),
    "occurred_on": gettext_lazy("Occurred on"),
    "step": gettext_lazy("Step"),
    "late": gettext_lazy("Late"),
    "authority_name": gettext_lazy("Authority"),
    "authority_type": gettext_lazy("Type of authority"),
    "factor": gettext_lazy("Factor"),
    "service": gettext_lazy("Service"),
    "service_type": gettext_lazy("Service type"),
    "to_organisation": gettext_lazy("To organisation"),
    "packet_fields": gettext_lazy("Shared in the packet"),
    "amount": gettext_lazy("Amount"),
    "paid_amount": gettext_lazy("Amount paid"),
    "quantity": gettext_lazy("Quantity"),
    "unit_cost": gettext_lazy("Unit cost"),
    "currency": gettext_lazy("Currency"),
    "fund": gettext_lazy("Fund"),
    "approval_threshold": gettext_lazy("Approval threshold"),
    "kind": gettext_lazy("Kind"),
    "available": gettext_lazy("Available"),
    "alternatives_checked": gettext_lazy("Alternatives checked"),
    "alternatives_note": gettext_lazy("Alternatives"),
    "description": gettext_lazy("Description"),
    "justification": gettext_lazy("Justification"),
    "email": gettext_lazy("Email address"),
    "summary": gettext_lazy("Summary"),
    "note": gettext_lazy("Note"),
    "audit_head": gettext_lazy("Last audit entry"),
    "attachments": gettext_lazy("Attachments"),
    "backup_key": gettext_lazy("Backup key"),
    "archive_created_at": gettext_lazy("Archive written at"),
}

_VALUE_WORDS: dict[str, dict[str, Any]] = {"role": {c.value: c.label for c in Role}}

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def register_values(field: str, labels: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
    """Give the values of ``field`` their labels (an app's TextChoices.choices, say)."""
    pairs = labels.items() if isinstance(labels, Mapping) else labels
    _VALUE_WORDS.setdefault(field, {}).update({str(k): v for k, v in pairs})


def action_words(action: str) -> str:
    return str(ACTION_WORDS.get(action, action))


def field_words(field: str) -> str:
    return str(FIELD_WORDS.get(field, field.replace("_", " ")))


def _value(field: str, value: Any, names: Mapping[str, str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_value(field, v, names) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{field_words(k)} {_value(k, v, names)}" for k, v in value.items())
    text = str(value)
    if text in _VALUE_WORDS.get(field, {}):
        return str(_VALUE_WORDS[field][text])
    if text in names:
        return names[text]
    if _DAY.match(text):
        try:
            return date_format(dt.date.fromisoformat(text), "SHORT_DATE_FORMAT")
        except ValueError:
            return text
    if _UUID.match(text):
        return _("a record")
    return text


def _user_names(entries: Iterable[Any]) -> dict[str, str]:
    uuids = {
        str(v)
        for e in entries
        for pair in (e.changes or {}).values()
        if isinstance(pair, list)
        for v in pair
        if isinstance(v, str) and _UUID.match(v)
    }
    if not uuids:
        return {}
    users = get_user_model().objects.filter(uuid__in=uuids).only("uuid", "full_name", "email")
    return {str(u.uuid): u.full_name or u.email for u in users}


def describe(entries: Iterable[Any]) -> list[dict[str, Any]]:
    """Each entry with ``label`` (the action in words), ``changes`` ("Role: Caseworker →
    Supervisor", one per changed field) and ``field_labels`` (the identifying fields it touched,
    whose values are never recorded)."""
    entries = list(entries)
    names = _user_names(entries)
    rows = []
    for entry in entries:
        changes = []
        for field, pair in (entry.changes or {}).items():
            if isinstance(pair, list) and len(pair) == 2:
                old, new = pair
                if old in (None, "", []):
                    changes.append(f"{field_words(field)}: {_value(field, new, names)}")
                else:
                    changes.append(
                        f"{field_words(field)}: {_value(field, old, names)} → "
                        f"{_value(field, new, names)}"
                    )
            else:
                changes.append(f"{field_words(field)}: {_value(field, pair, names)}")
        rows.append(
            {
                "entry": entry,
                "label": action_words(entry.action),
                "changes": changes,
                # Identifying fields whose values are never recorded (those not listed above).
                "field_labels": [
                    field_words(f) for f in (entry.fields or []) if f not in (entry.changes or {})
                ],
            }
        )
    return rows

"""The draft → final → amend life cycle that screenings and vulnerability assessments share.

A record (``LifecycleRecord``: a ``Screening`` or a ``VulnerabilityAssessment``) starts as a
draft on the latest version of its rule table, is answered while a draft, and is finalised with
the result and the table version it was computed with. A final record never changes: a
correction is a new draft that ``amends`` it, on the latest version of the table, carrying over
the answers that version still has. Every step checks the actor may work the case, recomputes
and stores the record's result, and writes an audit entry scoped to the case.

What differs between the two records is stated once per record type in a ``RecordKind``; the
public service functions in ``services`` and ``vulnerability_services`` call the functions here
inside their own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.cases.access import ensure_case
from salama.cases.models import Case
from salama.core import audit
from salama.core.policy import Principal
from salama.core.roles import Perm
from salama.people.choices import ConsentMethod, ConsentPurpose
from salama.people.services import active_consent
from salama.screening import rules
from salama.screening.choices import RecordStatus
from salama.screening.models import LifecycleRecord

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Record = TypeVar("Record", bound=LifecycleRecord)
Result = TypeVar("Result")
Changes = dict[str, tuple[Any, Any]]


# Guards --------------------------------------------------------------------------------------


def data_dir() -> Path | None:
    """Where the rule tables live: ``SCREENING_DATA_DIR`` if set, else the packaged ``data/``."""
    configured = getattr(settings, "SCREENING_DATA_DIR", None)
    return Path(configured) if configured else None


def require(actor: Principal, case: Case) -> None:
    # Views fetch cases through the access rules already; this keeps the API, imports and
    # commands from writing to a case the actor may not work.
    ensure_case(actor, case, Perm.CASE_CHANGE)


def ensure_open(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("The case is closed. Reopen it before screening or assessing."))


def ensure_draft(record: LifecycleRecord) -> None:
    if record.is_final:
        raise ValidationError(
            _("This record is final and cannot change. Amend it to record a correction.")
        )


def editable_draft(actor: Principal, record: LifecycleRecord) -> Case:
    """The record's case, once the actor may work it and the record is still a draft."""
    case = record.case
    require(actor, case)
    ensure_draft(record)
    return case


def person_is_child(case: Case, today: dt.date | None = None) -> bool:
    """A child case, or a person under 18 today (by date of birth, else at registration)."""
    person = case.person
    if case.is_child_case:
        return True
    age = person.age_on(today or timezone.localdate())
    if age is not None:
        return age < rules.CHILD_AGE_LIMIT
    return bool(person.is_minor)


def child_requirements(case: Case) -> list[str]:
    """What a child's case still lacks before a screening or assessment can be finalised."""
    if not person_is_child(case):
        return []
    missing = []
    if not case.best_interests_flag:
        missing.append(
            _(
                "This is a child's case: mark it as needing a best-interests determination "
                "before finalising."
            )
        )
    consent = active_consent(case.person, ConsentPurpose.ASSISTANCE)
    if consent is None or consent.method != ConsentMethod.CHILD_ASSENT:
        missing.append(
            _(
                "This is a child's case: record the child's assent with a guardian's consent "
                "for assistance before finalising."
            )
        )
    return missing


def check_child_requirements(case: Case) -> None:
    missing = child_requirements(case)
    if missing:
        raise ValidationError(missing, code="child_requirements")


# Record types --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CopiedRows:
    """Rows under a record (its answers, its events) that a draft amending it carries over."""

    model: type[models.Model]
    relation: str
    """The record's related manager holding the rows, e.g. ``answers``."""
    parent: str
    """The rows' foreign key to the record, e.g. ``screening``."""
    code: str
    """The field naming the indicator or factor; rows the new table lacks are left behind."""
    fields: tuple[str, ...]
    """The fields copied as they are (the code field among them)."""

    def copy(self, record: LifecycleRecord, draft: LifecycleRecord, codes: Iterable[str]) -> None:
        keep = set(codes)
        self.model._default_manager.bulk_create(
            self.model(**{self.parent: draft}, **{name: getattr(row, name) for name in self.fields})
            for row in getattr(record, self.relation).all()
            if getattr(row, self.code) in keep
        )


@dataclass(frozen=True)
class RecordKind(Generic[Record, Result]):
    """What the shared life cycle needs to know about one record type."""

    model: type[Record]
    version_field: str
    """The field holding the rule-table version, e.g. ``table_version``."""
    carried: tuple[str, ...]
    """Fields a draft amending a record copies from it (besides its answers)."""
    copied: tuple[CopiedRows, ...]
    store: Callable[[Record], Result]
    """Recompute the record's result from its answers and save it on the record."""
    latest: Callable[[Record], tuple[dict[str, str], frozenset[str]]]
    """The latest version of the record's table: its identity fields, and the codes it has."""
    final_changes: Callable[[Record, Result], Changes]
    """What the finalise audit entry records beside the status."""
    start_action: str
    finalise_action: str
    amend_action: str
    not_final: StrOrPromise
    draft_exists: StrOrPromise


# Life cycle ----------------------------------------------------------------------------------


def start_record(
    kind: RecordKind[Record, Result],
    *,
    actor: Principal,
    case: Case,
    table: Mapping[str, str],
    fields: Mapping[str, Any],
    changes: Changes,
    request: HttpRequest | None,
) -> Record:
    """Create a draft on ``table`` (identity fields), store its result and audit the start.

    The caller has checked ``fields``; the actor is checked here too, as in every service.
    """
    require(actor, case)
    record = kind.model._default_manager.create(case=case, **table, **fields, created_by=actor.user)
    kind.store(record)
    audit.record(
        kind.start_action,
        actor=actor.user,
        obj=record,
        organisation=case.organisation,
        changes={**{name: (None, value) for name, value in table.items()}, **changes},
        request=request,
        scope=case,
    )
    return record


def record_draft_change(
    kind: RecordKind[Record, Result],
    record: Record,
    action: str,
    *,
    actor: Principal,
    changes: Changes,
    fields: Iterable[str] = (),
    request: HttpRequest | None,
) -> Result:
    """After a change to a draft: store its refreshed result and audit the change."""
    require(actor, record.case)
    result = kind.store(record)
    audit.record(
        action,
        actor=actor.user,
        obj=record,
        organisation=record.case.organisation,
        fields=list(fields),
        changes=changes,
        request=request,
        scope=record.case,
    )
    return result


def finalise_record(
    kind: RecordKind[Record, Result],
    record: Record,
    *,
    actor: Principal,
    request: HttpRequest | None,
) -> Result:
    """Freeze a draft with its result and table version; a child's case must be ready first."""
    case = editable_draft(actor, record)
    ensure_open(case)
    check_child_requirements(case)
    result = kind.store(record)
    record.status = RecordStatus.FINAL
    record.finalised_by = actor.user
    record.finalised_at = timezone.now()
    record.save(update_fields=["status", "finalised_by", "finalised_at"])
    audit.record(
        kind.finalise_action,
        actor=actor.user,
        obj=record,
        organisation=case.organisation,
        changes={
            "status": (RecordStatus.DRAFT, RecordStatus.FINAL),
            **kind.final_changes(record, result),
        },
        request=request,
        scope=case,
    )
    return result


def amend_record(
    kind: RecordKind[Record, Result],
    record: Record,
    *,
    actor: Principal,
    request: HttpRequest | None,
) -> Record:
    """Start a draft amending a final record, on the latest version of its table.

    The draft copies the record's carried fields and the rows whose indicator or factor that
    version still has; the amended record keeps its result and version.
    """
    case = record.case
    require(actor, case)
    ensure_open(case)
    if not record.is_final:
        raise ValidationError(kind.not_final)
    if kind.model._default_manager.filter(amends=record, status=RecordStatus.DRAFT).exists():
        raise ValidationError(kind.draft_exists)
    table, codes = kind.latest(record)
    draft = kind.model._default_manager.create(
        case=case,
        **table,
        **{name: getattr(record, name) for name in kind.carried},
        amends=record,
        created_by=actor.user,
    )
    for rows in kind.copied:
        rows.copy(record, draft, codes)
    kind.store(draft)
    audit.record(
        kind.amend_action,
        actor=actor.user,
        obj=draft,
        organisation=case.organisation,
        changes={
            "amends": (None, str(record.id)),
            kind.version_field: (
                getattr(record, kind.version_field),
                getattr(draft, kind.version_field),
            ),
        },
        request=request,
        scope=case,
    )
    return draft

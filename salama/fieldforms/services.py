"""Every write to field forms: uploads, mappings, devices, submissions and their review.

Each function runs in one transaction and writes its audit entry. Form managers (forms.manage)
upload forms and enrol devices; a device's submission is received without a user (the app user's
token is its credential) and waits for review; a reviewer of the organisation accepts it through
the ordinary people and cases services, or rejects it with a reason.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.cases import services as case_services
from salama.cases.access import visible_cases
from salama.cases.models import Case
from salama.core import audit, crypto, events, keys
from salama.core.models import DataKey
from salama.core.policy import NotPermitted, Principal, ensure, require_perm
from salama.core.roles import Perm
from salama.fieldforms import mapping as mapping_rules
from salama.fieldforms import odkcrypto, screening_mapping
from salama.fieldforms.access import ensure_form_manager, ensure_reviewer
from salama.fieldforms.models import (
    AppUser,
    FieldForm,
    FormMedia,
    FormVersion,
    OrganisationFormKey,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)
from salama.fieldforms.xlsform import FormProblem, XLSFormError, convert_xlsform
from salama.people import services as people_services
from salama.people.duplicates import find_duplicates
from salama.people.models import CONSENT_CHECKLIST, Person

MAX_MEDIA_BYTES = 10 * 1024 * 1024
MAX_SUBMISSION_BYTES = 20 * 1024 * 1024
MAX_FILES = 20
MAX_REASON = 1000
TOKEN_BYTES = 32


def _file_aad(submission: Submission, name: str) -> bytes:
    return crypto.field_aad("fieldforms.submissionfile", str(submission.pk), name)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Keys ------------------------------------------------------------------------------------------


def form_key_for(organisation: Any) -> OrganisationFormKey:
    """The organisation's form key pair, made on first use (the private key sealed)."""
    existing = OrganisationFormKey.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    public, key, sealed = odkcrypto.new_key_pair(organisation.pk)
    key.save()
    return OrganisationFormKey.objects.create(
        organisation=organisation, public_key=public, data_key=key, sealed_private_key=sealed
    )


# Forms -----------------------------------------------------------------------------------------


@transaction.atomic
def upload_form(
    *,
    actor: Principal,
    content: bytes,
    filename: str,
    encrypt: bool = False,
    media: Iterable[tuple[str, bytes]] = (),
    request: HttpRequest | None = None,
) -> FormVersion:
    """Convert and store an XLSForm as a new form, or a new version of the form with its form_id.

    Raises XLSFormError (row-level problems) or ValidationError (a version already uploaded)."""
    require_perm(actor, Perm.FORMS_MANAGE)
    org = actor.organisation
    if org is None:
        raise PermissionDenied
    public_key = form_key_for(org).public_key if encrypt else ""
    converted = convert_xlsform(content, filename, public_key=public_key)
    form, created = FieldForm.objects.get_or_create(
        organisation=org,
        form_id=converted.form_id,
        defaults={"title": converted.title[:250]},
    )
    if not created and form.versions.filter(version=converted.version).exists():
        raise XLSFormError(
            [
                FormProblem(
                    _(
                        "version %(version)s of form “%(form)s” is already uploaded; raise the "
                        "version (e.g. to %(next)s) to publish a change."
                    )
                    % {
                        "version": converted.version,
                        "form": converted.form_id,
                        "next": f"{converted.version}1"
                        if not converted.version.isdigit()
                        else int(converted.version) + 1,
                    },
                    sheet="settings",
                    column="version",
                )
            ]
        )
    previous = form.current_version()
    form.title = converted.title[:250]
    form.save(update_fields=["title"])
    names = {q["name"] for q in converted.questions}
    carried = {k: v for k, v in (previous.mapping if previous else {}).items() if v in names}
    version = FormVersion.objects.create(
        form=form,
        version=converted.version,
        xform=converted.xform,
        xform_md5=converted.md5,
        xlsform=content,
        xlsform_name=filename[-200:],
        languages=converted.languages,
        questions=converted.questions,
        encrypted=converted.encrypted,
        mapping=carried,
        uploaded_by=actor.user,
    )
    for name, data in media:
        _store_media(version, name, data)
    audit.record(
        "fieldform.upload",
        actor=actor.user,
        obj=version,
        organisation=org,
        changes={
            "form_id": (None, form.form_id),
            "version": (None, version.version),
            "encrypted": (None, version.encrypted),
            "media": (None, version.media.count()),
        },
        request=request,
    )
    return version


def _store_media(version: FormVersion, name: str, data: bytes) -> FormMedia:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name.startswith("."):
        raise ValidationError({"media": _("Give each media file a name, e.g. logo.png.")})
    if len(data) > MAX_MEDIA_BYTES:
        raise ValidationError({"media": _("“%(name)s” is larger than 10 MB.") % {"name": name}})
    FormMedia.objects.filter(version=version, filename=name).delete()
    return FormMedia.objects.create(
        version=version,
        filename=name[:200],
        content=data,
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
    )


@transaction.atomic
def add_media(
    *,
    actor: Principal,
    version: FormVersion,
    filename: str,
    content: bytes,
    request: HttpRequest | None = None,
) -> FormMedia:
    """Attach (or replace) a media file a form version refers to; devices get it in the manifest."""
    ensure_form_manager(actor, version)
    media = _store_media(version, filename, content)
    audit.record(
        "fieldform.media",
        actor=actor.user,
        obj=version,
        organisation=actor.organisation,
        changes={"file": (None, media.filename)},
        request=request,
    )
    return media


@transaction.atomic
def set_mapping(
    *,
    actor: Principal,
    version: FormVersion,
    mapping: Mapping[str, str],
    request: HttpRequest | None = None,
) -> FormVersion:
    """Save which question fills which Salama field for this version."""
    ensure_form_manager(actor, version)
    cleaned = mapping_rules.check_mapping(dict(mapping), [q["name"] for q in version.questions])
    before = version.mapping
    version.mapping = cleaned
    version.save(update_fields=["mapping"])
    audit.record(
        "fieldform.mapping",
        actor=actor.user,
        obj=version,
        organisation=actor.organisation,
        changes={"mapping": (before, cleaned)},
        request=request,
    )
    return version


# Devices ---------------------------------------------------------------------------------------


@transaction.atomic
def create_app_user(
    *,
    actor: Principal,
    name: str,
    forms: Iterable[FieldForm],
    request: HttpRequest | None = None,
) -> tuple[AppUser, str]:
    """Enrol a device: returns the app user and its token, shown once (only a hash is kept)."""
    require_perm(actor, Perm.FORMS_MANAGE)
    org = actor.organisation
    if org is None:
        raise PermissionDenied
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Name the device or team in 1 to 100 characters.")})
    forms = list(forms)
    for form in forms:
        ensure_form_manager(actor, form)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    app_user = AppUser.objects.create(
        organisation=org, name=name, token_hash=token_hash(token), created_by=actor.user
    )
    app_user.forms.set(forms)
    audit.record(
        "fieldform.app_user.create",
        actor=actor.user,
        obj=app_user,
        organisation=org,
        changes={"forms": (None, sorted(f.form_id for f in forms))},
        request=request,
    )
    return app_user, token


@transaction.atomic
def set_app_user_forms(
    *,
    actor: Principal,
    app_user: AppUser,
    forms: Iterable[FieldForm],
    request: HttpRequest | None = None,
) -> AppUser:
    ensure_form_manager(actor, app_user)
    forms = list(forms)
    for form in forms:
        ensure_form_manager(actor, form)
    before = sorted(app_user.forms.values_list("form_id", flat=True))
    app_user.forms.set(forms)
    audit.record(
        "fieldform.app_user.forms",
        actor=actor.user,
        obj=app_user,
        organisation=actor.organisation,
        changes={"forms": (before, sorted(f.form_id for f in forms))},
        request=request,
    )
    return app_user


@transaction.atomic
def revoke_app_user(
    *, actor: Principal, app_user: AppUser, request: HttpRequest | None = None
) -> AppUser:
    """Revoke a device's token at once: a lost phone can no longer fetch forms or submit."""
    ensure_form_manager(actor, app_user)
    if app_user.revoked_at is None:
        app_user.revoked_at = timezone.now()
        app_user.save(update_fields=["revoked_at"])
        audit.record(
            "fieldform.app_user.revoke",
            actor=actor.user,
            obj=app_user,
            organisation=actor.organisation,
            request=request,
        )
    return app_user


def app_user_for_token(token: str) -> AppUser | None:
    """The active app user holding `token`, or None (unknown and revoked alike)."""
    if not token or len(token) > 100:
        return None
    found = AppUser.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True).first()
    return found


# Receiving -------------------------------------------------------------------------------------


class SubmissionRefused(Exception):
    """The submission cannot be taken; `status` is the HTTP status OpenRosa answers with."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Received:
    submission: Submission
    outcome: str  # "created", "added" (more attachments of a known submission), "duplicate"


def _manifest(root: Any) -> odkcrypto.EncryptedManifest:
    def text(tag: str) -> str:
        for node in root.iter():
            if node.tag.split("}")[-1] == tag:
                return (node.text or "").strip()
        return ""

    media = tuple(
        (node.text or "").strip()
        for node in root.iter()
        if node.tag.split("}")[-1] == "file" and (node.text or "").strip()
    )
    return odkcrypto.EncryptedManifest(
        form_id=root.get("id", ""),
        version=root.get("version"),
        instance_id=text("instanceID"),
        encrypted_key=text("base64EncryptedKey"),
        media=media,
        xml_file=text("encryptedXmlFile"),
        signature=text("base64EncryptedElementSignature"),
    )


def receive_submission(*, app_user: AppUser, xml: bytes, files: Mapping[str, bytes]) -> Received:
    """Store what a device sent, sealed, for review. Idempotent by instanceID: the same XML again
    adds attachments not yet stored (ODK sends large submissions in parts) or changes nothing;
    different XML under a known instanceID is a conflict (409)."""
    if sum(len(b) for b in files.values()) + len(xml) > MAX_SUBMISSION_BYTES:
        raise SubmissionRefused(413, _("The submission is larger than 20 MB."))
    if len(files) > MAX_FILES:
        raise SubmissionRefused(400, _("A submission carries at most 20 files."))
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        raise SubmissionRefused(400, _("xml_submission_file is not well-formed XML.")) from None
    except Exception:  # noqa: BLE001 - defusedxml refuses entities and DTDs
        raise SubmissionRefused(
            400, _("xml_submission_file uses forbidden XML features.")
        ) from None
    encrypted = root.get("encrypted", "").lower() == "yes"
    form_id, version_name, instance_id = mapping_rules.instance_meta(xml)
    if encrypted:
        manifest = _manifest(root)
        instance_id = manifest.instance_id
    if not instance_id or len(instance_id) > 100:
        raise SubmissionRefused(
            400, _("The submission has no meta/instanceID (up to 100 characters).")
        )
    version = (
        FormVersion.objects.filter(
            form__organisation_id=app_user.organisation_id,
            form__form_id=form_id,
            version=version_name or "",
            form__in=app_user.forms.all(),
        )
        .select_related("form")
        .first()
    )
    if version is None:
        raise SubmissionRefused(
            404,
            _("This device may not submit to form “%(form)s” version “%(version)s”.")
            % {"form": form_id, "version": version_name},
        )
    if version.encrypted and not encrypted:
        raise SubmissionRefused(
            400,
            _("This form is encrypted; the device sent plain data. Update the form on the device."),
        )
    content_md5 = hashlib.md5(xml, usedforsecurity=False).hexdigest()
    with transaction.atomic():
        existing = (
            Submission.objects.select_for_update()
            .filter(organisation_id=app_user.organisation_id, instance_id=instance_id)
            .first()
        )
        if existing is not None:
            if existing.content_md5 != content_md5:
                raise SubmissionRefused(
                    409,
                    _("A different submission with instanceID %(id)s was already received.")
                    % {"id": instance_id},
                )
            known = set(existing.files.values_list("name", flat=True))
            new = {n: b for n, b in files.items() if n not in known}
            for name, data in new.items():
                _store_file(existing, name, data)
            return Received(existing, "added" if new else "duplicate")
        key = DataKey.new()
        key.save()
        submission = Submission(
            organisation_id=app_user.organisation_id,
            form_version=version,
            app_user=app_user,
            instance_id=instance_id,
            content_md5=content_md5,
            encrypted=encrypted,
            data_key=key,
        )
        if encrypted:
            submission.manifest = xml.decode("utf-8", errors="replace")
        else:
            submission.xml = xml.decode("utf-8", errors="replace")
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            raise SubmissionRefused(
                409, _("This submission is being received already; try again.")
            ) from None
        for name, data in files.items():
            _store_file(submission, name, data)
        AppUser.objects.filter(pk=app_user.pk).update(last_used_at=timezone.now())
        audit.record(
            "fieldform.submission.receive",
            obj=submission,
            organisation=app_user.organisation,
            actor_label=f"app user {app_user.pk}",
            changes={
                "form_id": (None, version.form.form_id),
                "version": (None, version.version),
                "encrypted": (None, encrypted),
                "files": (None, len(files)),
            },
        )
        events.emit(
            "submission.received",
            organisation_id=app_user.organisation_id,
            record_id=str(submission.pk),
            data={
                "form_id": version.form.form_id,
                "version": version.version,
                "encrypted": encrypted,
            },
        )
    return Received(submission, "created")


def _store_file(submission: Submission, name: str, data: bytes) -> SubmissionFile:
    name = name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    return SubmissionFile.objects.create(
        submission=submission,
        name=name,
        content=crypto.encrypt_bytes(submission.get_data_key(), data, _file_aad(submission, name)),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        size=len(data),
    )


def read_file(submission: Submission, stored: SubmissionFile) -> bytes:
    return crypto.decrypt_bytes(
        submission.get_data_key(), bytes(stored.content), _file_aad(submission, stored.name)
    )


# Reading for review ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    answers: dict[str, str]
    attachments: dict[str, bytes]
    error: str = ""


def open_submission(*, reviewer: Principal, submission: Submission) -> Opened:
    """The answers and attachments, decrypted now (an encrypted form's only here); audited as a
    read of the submission."""
    ensure_reviewer(reviewer, submission)
    try:
        files = {f.name: read_file(submission, f) for f in submission.files.all()}
    except crypto.SubjectErased:
        return Opened({}, {}, _("The person this submission was about was erased; so was it."))
    if submission.encrypted:
        try:
            form_key = OrganisationFormKey.objects.get(organisation_id=submission.organisation_id)
            private = odkcrypto.open_private_key(
                submission.organisation_id, form_key.data_key, bytes(form_key.sealed_private_key)
            )
            root = ElementTree.fromstring(submission.manifest.encode("utf-8"))
            xml, media = odkcrypto.decrypt_submission(private, _manifest(root), files)
        except (odkcrypto.SubmissionDecryptionError, OrganisationFormKey.DoesNotExist) as exc:
            return Opened({}, {}, str(exc))
        files = media
    else:
        try:
            xml = submission.xml.encode("utf-8")
        except crypto.SubjectErased:
            return Opened({}, {}, _("The person this submission was about was erased; so was it."))
    audit.record(
        "fieldform.submission.view",
        actor=reviewer.user,
        obj=submission,
        organisation=reviewer.organisation,
    )
    return Opened(mapping_rules.parse_answers(xml), files)


# Review ----------------------------------------------------------------------------------------


def _pending(submission: Submission) -> None:
    if submission.status != SubmissionStatus.RECEIVED:
        raise ValidationError(
            _("This submission was already %(status)s.")
            % {"status": submission.get_status_display().lower()}
        )


@transaction.atomic
def accept_submission(
    *,
    actor: Principal,
    submission: Submission,
    person: Person | None = None,
    case: Case | None = None,
    case_type: str = "",
    request: HttpRequest | None = None,
) -> Submission:
    """Turn a reviewed submission into records through the ordinary services, all or nothing:
    a new person (or `person`), a new case of `case_type` (or the mapped one, or `case`), the
    mapped consent, and a case note with every answer. Audited; emits submission.accepted."""
    ensure_reviewer(actor, submission)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _pending(submission)
    if person is not None:
        ensure(actor, person, Perm.PERSON_VIEW)
    if case is not None:
        if not visible_cases(actor).filter(pk=case.pk).exists():
            raise NotPermitted
        if person is not None and case.person_id != person.pk:
            raise ValidationError({"case": _("The case chosen is not the person's chosen.")})
        person = person or case.person
    opened = open_submission(reviewer=actor, submission=submission)
    if opened.error:
        raise ValidationError(_("The submission cannot be opened: %(e)s") % {"e": opened.error})
    result = mapping_rules.plan(opened.answers, submission.form_version.mapping)
    if person is None:
        if result.problems:
            raise ValidationError(result.problems)
        contacts = (
            [people_services.ContactInput(kind="phone", value=result.phone)] if result.phone else []
        )
        person = people_services.register_person(
            actor=actor, contacts=contacts, request=request, **result.person
        )
    if case is None:
        chosen = case_type or result.case_type
        if chosen:
            case = case_services.open_case(
                actor=actor,
                person=person,
                case_type=chosen,
                summary=result.case_summary,
                request=request,
            )
    if result.consent_assistance and not person.is_minor:
        people_services.record_consent(
            actor=actor,
            person=person,
            purpose="assistance",
            method="verbal",
            given_on=timezone.localdate(),
            checklist={k: True for k, _label in CONSENT_CHECKLIST},
            request=request,
        )
    if result.screening_exploitation:
        screening_mapping.record_screening(
            actor,
            case=case,
            exploitation=result.screening_exploitation,
            values=result.screening_answers,
            request=request,
        )
    if case is not None:
        lines = [
            _("Field form “%(form)s” (version %(version)s), received %(when)s.")
            % {
                "form": submission.form_version.form.title,
                "version": submission.form_version.version,
                "when": submission.received_at.date().isoformat(),
            }
        ]
        lines += [f"{k}: {v}" for k, v in opened.answers.items() if v]
        case_services.add_note(
            actor=actor, case=case, body="\n".join(lines)[:20000], request=request
        )
    submission.status = SubmissionStatus.ACCEPTED
    submission.reviewed_by = actor.user
    submission.reviewed_at = timezone.now()
    submission.person = person
    submission.case = case
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at", "person", "case"])
    audit.record(
        "fieldform.submission.accept",
        actor=actor.user,
        obj=submission,
        organisation=actor.organisation,
        changes={
            "status": (SubmissionStatus.RECEIVED, SubmissionStatus.ACCEPTED),
            "person": (None, str(person.pk)),
            "case": (None, str(case.pk) if case else None),
        },
        request=request,
    )
    events.emit(
        "submission.accepted",
        organisation_id=submission.organisation_id,
        record_id=str(submission.pk),
        data={"person_id": str(person.pk), "case_id": str(case.pk) if case else None},
    )
    return submission


@transaction.atomic
def reject_submission(
    *,
    actor: Principal,
    submission: Submission,
    reason: str,
    request: HttpRequest | None = None,
) -> Submission:
    """Close a submission without creating records; the reason is kept (sealed)."""
    ensure_reviewer(actor, submission)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _pending(submission)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the submission is rejected (e.g. a test or a duplicate).")}
        )
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("A reason has at most 1,000 characters.")})
    submission.status = SubmissionStatus.REJECTED
    submission.reviewed_by = actor.user
    submission.reviewed_at = timezone.now()
    submission.reject_reason = reason
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at", "reject_reason"])
    audit.record(
        "fieldform.submission.reject",
        actor=actor.user,
        obj=submission,
        organisation=actor.organisation,
        fields=["reject_reason"],
        changes={"status": (SubmissionStatus.RECEIVED, SubmissionStatus.REJECTED)},
        request=request,
    )
    events.emit(
        "submission.rejected",
        organisation_id=submission.organisation_id,
        record_id=str(submission.pk),
        data={},
    )
    return submission


def duplicates_for(
    *, reviewer: Principal, answers: dict[str, str], mapping: dict[str, str]
) -> list[Any]:
    """The registry's duplicate check for the person a submission describes."""
    result = mapping_rules.plan(answers, mapping)
    if not (result.person.get("given_name") or result.person.get("family_name")):
        return []
    return find_duplicates(
        actor=reviewer,
        given_name=result.person.get("given_name", ""),
        family_name=result.person.get("family_name", ""),
        date_of_birth=result.person.get("date_of_birth"),
        nationalities=result.person.get("nationalities", []),
    )


def shred_submissions_of(person: Person) -> None:
    """Erasure hook: the submissions accepted into an erased person are shredded with them."""
    for submission in Submission.objects.filter(person=person).select_related("data_key"):
        keys.shred(submission.data_key)

"""Field forms: XLSForm definitions, the devices that fill them, and what they send in.

A form belongs to one organisation. Each upload of its XLSForm is a *version* (ODK's form_id and
version), with its media files and the mapping that turns one submission into Salama records.
Devices are *app users*, as in ODK Central: a token in the server URL, scoped to chosen forms,
revocable. Submissions wait in the review queue; their content is sealed under a per-submission
data key (and, for an encrypted form, was encrypted on the device under the organisation's
public key before it left the phone).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField


class FieldForm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="field_forms"
    )
    form_id = models.CharField(_("form ID"), max_length=250)
    title = models.CharField(_("title"), max_length=250)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "form_id"], name="fieldform_org_id")
        ]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> FormVersion | None:
        return self.versions.order_by("-created_at").first()


class FormVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(FieldForm, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=100)
    xform = models.TextField()
    xform_md5 = models.CharField(max_length=32)
    xlsform = models.BinaryField()
    xlsform_name = models.CharField(max_length=200)
    languages = models.JSONField(default=list, blank=True)
    # The questions: [{"name", "path", "type", "labels": {language: text}}].
    questions = models.JSONField(default=list, blank=True)
    encrypted = models.BooleanField(default=False)
    # Salama field -> question name (see salama.fieldforms.mapping).
    mapping = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="fieldform_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.form.form_id} {self.version}"


class FormMedia(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="media")
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    md5 = models.CharField(max_length=32)

    class Meta:
        ordering = ["filename"]
        constraints = [
            models.UniqueConstraint(fields=["version", "filename"], name="fieldform_media_unique")
        ]

    def __str__(self) -> str:
        return self.filename


class OrganisationFormKey(models.Model):
    """The RSA key pair devices encrypt submissions to; the private key is sealed under a data
    key, which is wrapped by the key-encryption key like every subject's."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="form_key"
    )
    public_key = models.TextField()  # base64 DER SubjectPublicKeyInfo, as XLSForm wants it
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    sealed_private_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"form key of {self.organisation}"


class AppUser(models.Model):
    """A device (or a team's devices) allowed to fetch chosen forms and submit to them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="app_users"
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    forms = models.ManyToManyField(FieldForm, related_name="app_users", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Submission(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="submissions"
    )
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="submissions"
    )
    app_user = models.ForeignKey(AppUser, on_delete=models.SET_NULL, null=True, blank=True)
    instance_id = models.CharField(max_length=100)
    # md5 of the submitted XML (or of the encrypted manifest): tells a resend from a conflict.
    content_md5 = models.CharField(max_length=32)
    encrypted = models.BooleanField(default=False)
    data_key = models.ForeignKey("core.DataKey", on_delete=models.PROTECT, related_name="+")
    # A plain form's XML, sealed; an encrypted form's is in its files (submission.xml.enc).
    xml = EncryptedTextField()
    # An encrypted form's manifest (keys and file names, no answers).
    manifest = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED
    )
    received_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = EncryptedTextField(max_length_plain=1000)
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instance_id"], name="fieldform_submission_instance"
            )
        ]

    def __str__(self) -> str:
        return f"submission {self.instance_id}"

    def get_data_key(self) -> bytes:
        return self.data_key.unwrap()


class SubmissionFile(models.Model):
    """One attachment (or an encrypted form's submission.xml.enc), sealed under the
    submission's data key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    content = models.BinaryField()
    md5 = models.CharField(max_length=32)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="fieldform_file_unique")
        ]

    def __str__(self) -> str:
        return self.name

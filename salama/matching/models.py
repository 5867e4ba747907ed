"""What batch duplicate detection stores: trained models, runs, candidate pairs.

Shared by the engine (training, prediction, clustering) and the review queue (merge and undo).
A candidate pair never stores a name or any other identifying value: only the two persons, the
match probability and per-field reasons as codes (shown in words in the reader's language).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MatchModel(models.Model):
    """One trained model (Splink settings + m/u parameters learnt by EM), versioned."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The organisations whose persons it was trained on (ids); empty = one org in `organisation`.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    backend = models.CharField(max_length=16, default="duckdb")  # duckdb | spark
    # Splink's settings dictionary with the trained parameters (no data values in it).
    parameters = models.JSONField(default=dict)
    threshold = models.FloatField(default=0.9)
    trained_at = models.DateTimeField(default=timezone.now)
    trained_on = models.PositiveIntegerField(default=0)  # number of persons
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-trained_at"]
        verbose_name = _("match model")

    def __str__(self) -> str:
        return f"MatchModel v{self.version}"


class MatchRun(models.Model):
    """One batch run over the persons an organisation may see (or several that agreed)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # Other organisations whose persons are included because they agreed (ids).
    partner_organisation_ids = models.JSONField(default=list, blank=True)
    model = models.ForeignKey(MatchModel, on_delete=models.SET_NULL, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # Progress: the step's code (e.g. "blocking", "training", "predicting", "clustering") and 0–100.
    step = models.CharField(max_length=24, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    clusters = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    error_code = models.CharField(max_length=48, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("match run")

    def __str__(self) -> str:
        return f"MatchRun {self.id}"


class CandidatePair(models.Model):
    """Two persons the model thinks may be one, waiting for a supervisor's decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        MERGED = "merged", _("Merged")
        NOT_DUPLICATE = "not_duplicate", _("Not the same person")
        UNDONE = "undone", _("Merge undone")
        SUPERSEDED = "superseded", _("Superseded by a later run")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="candidates")
    # person_a.id < person_b.id (as strings), so a pair is stored once.
    person_a = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    match_weight = models.FloatField(default=0.0)
    # [{"field": "name"|"birth_date"|"sex"|"nationality"|"document", "level": code, "weight": float}]
    reasons = models.JSONField(default=list)
    # Pairs in one cluster share its key (the smallest person id of the cluster).
    cluster_key = models.CharField(max_length=36, blank=True, db_index=True)
    # True when the two persons are registered by different organisations: only the fact of a
    # possible match is shared until both sides agree.
    cross_organisation = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-probability"]
        verbose_name = _("candidate pair")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person_a", "person_b"], name="matching_pair_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-probability"], name="matching_pair_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"CandidatePair {self.id}"


# The review's decisions live in their own module (salama.matching.merge_models).
from salama.matching.agreement_models import MatchingAgreement  # noqa: E402, F401
from salama.matching.merge_models import (  # noqa: E402, F401
    DisclosureAgreement,
    NotDuplicate,
    PersonMerge,
)

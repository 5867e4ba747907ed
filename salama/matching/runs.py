"""Matching services: agreements between organisations, batch runs and what a run stores.

A supervisor (``matching.run``) starts a run over the persons her organisation registered or
has a case for, and those of partner organisations with an accepted ``MatchingAgreement``. The
task worker (``tasks.execute_run``) decrypts their names in memory, trains the model
(``engine``), stores it as the organisation's current ``MatchModel`` and writes the candidate
pairs (open, highest probability first in the review queue) with reasons as codes. Progress is
the run's step and percent, read by a page that polls.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.core import audit
from salama.core.policy import NotPermitted, Principal, has_perm
from salama.core.roles import Perm
from salama.matching.models import CandidatePair, MatchingAgreement, MatchModel, MatchRun

__all__ = [
    "accept_agreement",
    "end_agreement",
    "execute_run",
    "partner_ids",
    "persons_in_scope",
    "propose_agreement",
    "start_run",
]

logger = logging.getLogger(__name__)

# Steps a run goes through (codes, shown in words by the page).
STEPS = ("queued", "reading", "training", "predicting", "clustering", "storing", "finished")


def _require(actor: Principal, perm: str) -> Any:
    if not has_perm(actor, perm) or actor.organisation is None:
        raise NotPermitted
    return actor.organisation


# Agreements ------------------------------------------------------------------------------------


@transaction.atomic
def propose_agreement(*, actor: Principal, partner: Any) -> MatchingAgreement:
    """An organisation administrator proposes that runs compare her persons with ``partner``'s."""
    organisation = _require(actor, Perm.ORG_MANAGE_SETTINGS)
    if partner is None or partner.pk == organisation.pk:
        raise ValidationError({"partner": _("Choose another organisation to match with.")})
    if MatchingAgreement.objects.filter(
        Q(proposer=organisation, partner=partner) | Q(proposer=partner, partner=organisation),
        status__in=[MatchingAgreement.Status.PROPOSED, MatchingAgreement.Status.ACCEPTED],
    ).exists():
        raise ValidationError(
            {"partner": _("An agreement with this organisation is already proposed or in force.")}
        )
    agreement = MatchingAgreement.objects.create(
        proposer=organisation, partner=partner, proposed_by=actor.user
    )
    audit.record(
        "matching.agreement_propose",
        actor=actor.user,
        obj=agreement,
        organisation=organisation,
        changes={"partner": (None, str(partner.pk))},
    )
    return agreement


def _locked(agreement: MatchingAgreement) -> MatchingAgreement:
    return MatchingAgreement.objects.select_for_update().get(pk=agreement.pk)


@transaction.atomic
def accept_agreement(*, actor: Principal, agreement: MatchingAgreement) -> MatchingAgreement:
    """The partner's administrator accepts a proposed agreement."""
    organisation = _require(actor, Perm.ORG_MANAGE_SETTINGS)
    if agreement.partner_id != organisation.pk:
        raise NotPermitted
    agreement = _locked(agreement)
    if agreement.status != MatchingAgreement.Status.PROPOSED:
        raise ValidationError(_("Only a proposed agreement can be accepted."))
    agreement.status = MatchingAgreement.Status.ACCEPTED
    agreement.accepted_by = actor.user
    agreement.accepted_at = timezone.now()
    agreement.save(update_fields=["status", "accepted_by", "accepted_at"])
    audit.record(
        "matching.agreement_accept",
        actor=actor.user,
        obj=agreement,
        organisation=organisation,
        changes={"status": ("proposed", "accepted")},
    )
    return agreement


@transaction.atomic
def end_agreement(*, actor: Principal, agreement: MatchingAgreement) -> MatchingAgreement:
    """Either side's administrator ends an agreement; later runs no longer cross it."""
    organisation = _require(actor, Perm.ORG_MANAGE_SETTINGS)
    if organisation.pk not in (agreement.proposer_id, agreement.partner_id):
        raise NotPermitted
    agreement = _locked(agreement)
    if agreement.status == MatchingAgreement.Status.ENDED:
        raise ValidationError(_("This agreement has already ended."))
    before = agreement.status
    agreement.status = MatchingAgreement.Status.ENDED
    agreement.ended_at = timezone.now()
    agreement.save(update_fields=["status", "ended_at"])
    audit.record(
        "matching.agreement_end",
        actor=actor.user,
        obj=agreement,
        organisation=organisation,
        changes={"status": (before, "ended")},
    )
    return agreement


def partner_ids(organisation: Any) -> list[int]:
    """Organisations with an accepted agreement with ``organisation``."""
    rows = MatchingAgreement.objects.filter(
        Q(proposer=organisation) | Q(partner=organisation),
        status=MatchingAgreement.Status.ACCEPTED,
    ).values_list("proposer_id", "partner_id")
    return sorted({p for pair in rows for p in pair if p != organisation.pk})


# Runs ------------------------------------------------------------------------------------------


@transaction.atomic
def start_run(*, actor: Principal, include_partners: bool = False) -> MatchRun:
    """Queue a batch duplicate check over the organisation's persons (and its partners')."""
    organisation = _require(actor, Perm.MATCHING_RUN)
    if MatchRun.objects.filter(
        organisation=organisation, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
    ).exists():
        raise ValidationError(
            _("A duplicate check is already running for your organisation; wait for it to end.")
        )
    partners = partner_ids(organisation) if include_partners else []
    run = MatchRun.objects.create(
        organisation=organisation,
        partner_organisation_ids=partners,
        requested_by=actor.user,
        step="queued",
    )
    audit.record(
        "matching.run_start",
        actor=actor.user,
        obj=run,
        organisation=organisation,
        changes={"partners": (None, len(partners))},
    )
    from salama.matching.tasks import run_matching

    run_id = str(run.pk)
    transaction.on_commit(lambda: run_matching.enqueue(run_id))
    return run


def persons_in_scope(organisation_ids: Iterable[int]) -> Any:
    """Persons registered by, or with a case at, one of the organisations; erased ones left out."""
    from salama.people.models import Person

    ids = list(organisation_ids)
    return (
        Person.objects.filter(Q(registered_by_id__in=ids) | Q(cases__organisation_id__in=ids))
        .filter(erased_at__isnull=True)
        .distinct()
    )


def record_progress(run: MatchRun, step: str, percent: int) -> None:
    """Write the step and percent at once (outside any transaction), so the page sees them."""
    MatchRun.objects.filter(pk=run.pk).update(step=step, progress=max(0, min(percent, 100)))
    run.step, run.progress = step, percent


def execute_run(run_id: str) -> str:
    """The task's body: read, train, predict, cluster, store. Returns the run's final status."""
    from salama.matching import engine, features

    run = MatchRun.objects.select_related("organisation").get(pk=run_id)
    if run.status != MatchRun.Status.QUEUED:
        return str(run.status)
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.RUNNING)
    start = time.perf_counter()
    try:
        record_progress(run, "reading", 5)
        organisations = [run.organisation_id, *run.partner_organisation_ids]
        persons = list(persons_in_scope(organisations).select_related("data_key"))
        rows = features.person_rows(persons)
        if len(rows) < 2:
            result = None
        else:
            previous = _current_model(run.organisation)
            result = engine.run_dedupe(
                rows,
                threshold=previous.threshold if previous else engine.DEFAULT_THRESHOLD,
                progress=lambda step, percent: record_progress(run, step, percent),
            )
        record_progress(run, "storing", 90)
        _store(run, persons, result, time.perf_counter() - start)
    except Exception:
        logger.exception("matching run %s failed", run_id)
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.FAILED,
            error_code="engine_error",
            finished_at=timezone.now(),
            seconds=time.perf_counter() - start,
        )
        return str(MatchRun.Status.FAILED)
    return str(MatchRun.Status.FINISHED)


def _current_model(organisation: Any) -> MatchModel | None:
    return MatchModel.objects.filter(organisation=organisation, is_current=True).first()


@transaction.atomic
def _store(run: MatchRun, persons: list[Any], result: Any, seconds: float) -> None:
    organisation = run.organisation
    model = None
    pairs: list[CandidatePair] = []
    clusters = 0
    if result is not None:
        last = MatchModel.objects.filter(organisation=organisation).order_by("-version").first()
        MatchModel.objects.filter(organisation=organisation, is_current=True).update(
            is_current=False
        )
        model = MatchModel.objects.create(
            organisation=organisation,
            version=(last.version + 1) if last else 1,
            backend="duckdb",
            parameters=result.parameters,
            threshold=result.threshold,
            trained_on=len(persons),
        )
        owner = {str(p.pk): p.registered_by_id for p in persons}
        cluster_of = _cluster_keys(result.clusters)
        clusters = len(set(cluster_of.values()))
        for pair in result.pairs.to_dict("records"):
            a, b = sorted((str(pair["unique_id_l"]), str(pair["unique_id_r"])))
            pairs.append(
                CandidatePair(
                    run=run,
                    person_a_id=a,
                    person_b_id=b,
                    probability=float(pair["match_probability"]),
                    match_weight=float(pair["match_weight"]),
                    reasons=list(pair["reasons"]),
                    cluster_key=cluster_of.get(a, a),
                    cross_organisation=owner.get(a) != owner.get(b),
                )
            )
    # Open pairs of earlier runs give way to this run's.
    CandidatePair.objects.filter(
        run__organisation=organisation, status=CandidatePair.Status.OPEN
    ).exclude(run=run).update(status=CandidatePair.Status.SUPERSEDED)
    CandidatePair.objects.bulk_create(pairs, batch_size=1000)
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.FINISHED,
        model=model,
        step="finished",
        progress=100,
        persons=len(persons),
        pairs=len(pairs),
        clusters=clusters,
        seconds=seconds,
        finished_at=timezone.now(),
    )
    audit.record(
        "matching.run_finish",
        actor_label="task",
        obj=run,
        organisation=organisation,
        changes={"pairs": (None, len(pairs)), "persons": (None, len(persons))},
    )


def _cluster_keys(clusters: Any) -> dict[str, str]:
    """Person id -> the smallest person id of its cluster (clusters of one left out)."""
    groups: dict[Any, list[str]] = {}
    for unique_id, cluster_id in zip(clusters["unique_id"], clusters["cluster_id"], strict=True):
        groups.setdefault(cluster_id, []).append(str(unique_id))
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) > 1:
            key = min(members)
            out.update({m: key for m in members})
    return out

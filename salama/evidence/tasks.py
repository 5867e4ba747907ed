"""Background work of the evidence app (django-tasks, run by the existing task worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_counts(organisation_id: int | None = None) -> int:
    """Rebuild the dashboard counts of one organisation, or of every stale one; returns cells."""
    from salama.evidence import counts

    if organisation_id is not None:
        return counts.refresh(organisation_id)
    return sum(counts.refresh_stale().values())


@task()
def run_export(job_id: str) -> str:
    """Build one requested export and store it encrypted; returns its status."""
    from salama.evidence.exports import build_export

    return build_export(job_id)

"""Background work of the matching app (django-tasks, run by the existing task worker)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_matching(run_id: str) -> str:
    """Run one queued batch duplicate check; returns its final status."""
    from salama.matching.runs import execute_run

    return execute_run(run_id)

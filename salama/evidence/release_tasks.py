"""Background work for anonymised releases (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_release_task(release_id: str) -> str:
    """Build one approved release; returns its status."""
    from salama.evidence.release_services import build_release

    return str(build_release(release_id).status)


@task()
def expire_releases_task() -> int:
    """Destroy the keys of expired releases (schedule daily); returns how many."""
    from salama.evidence.release_services import expire_releases

    return expire_releases()

"""Who may see integrations and their delivery logs: the administrators of their organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from salama.core.policy import Principal, ensure, get_or_404, has_perm, in_organisation, register
from salama.core.roles import Perm
from salama.integrations.import_models import ImportJob
from salama.integrations.models import Delivery, Integration

MANAGE = Perm.ORG_MANAGE_SETTINGS


def visible_integrations(principal: Principal | None) -> QuerySet[Integration]:
    if not in_organisation(principal) or not has_perm(principal, MANAGE):
        return Integration.objects.none()
    assert principal is not None
    return Integration.objects.filter(organisation=principal.organisation)


def visible_deliveries(principal: Principal | None) -> QuerySet[Delivery]:
    return Delivery.objects.filter(integration__in=visible_integrations(principal))


def access_integration(principal: Principal | None, integration_uuid: Any) -> Integration:
    return get_or_404(visible_integrations(principal), uuid=integration_uuid)


def access_delivery(principal: Principal | None, delivery_uuid: Any) -> Delivery:
    return get_or_404(
        visible_deliveries(principal).select_related("integration"), uuid=delivery_uuid
    )


def ensure_integration(actor: Principal | None, integration: Integration) -> None:
    ensure(actor, integration, MANAGE)


def visible_imports(principal: Principal | None) -> QuerySet[ImportJob]:
    """An import holds a file of identifying data: only its uploader sees it, while they may
    still register persons and open cases in its organisation."""
    if not in_organisation(principal) or not (
        has_perm(principal, Perm.PERSON_CREATE) and has_perm(principal, Perm.CASE_CREATE)
    ):
        return ImportJob.objects.none()
    assert principal is not None
    return ImportJob.objects.filter(organisation=principal.organisation, created_by=principal.user)


def access_import(principal: Principal | None, job_id: Any) -> ImportJob:
    return get_or_404(visible_imports(principal).select_related("data_key"), pk=job_id)


def register_rules() -> None:
    register(Integration, visible_integrations)
    register(Delivery, visible_deliveries)
    register(ImportJob, visible_imports)

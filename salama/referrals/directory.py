"""The service directory: providers (organisations with or without Salama users), their
services, and the search that finds a service for a case.

Rule: an organisation's administrators keep their own entry and the external providers they
added (salama.referrals.access.manageable_providers); every change is audited and a stale edit
is refused with a conflict rather than overwriting someone else's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.accounts.models import Organisation
from salama.cases.models import Case
from salama.core import audit
from salama.core.errors import ConflictError
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm
from salama.core.taxonomy import ServiceType
from salama.referrals import rules
from salama.referrals.access import ensure_managed_provider
from salama.referrals.models import Provider, Service

SERVICE_FIELDS = (
    "name",
    "service_type",
    "description",
    "country",
    "area",
    "languages",
    "min_age",
    "max_age",
    "sexes",
    "case_types",
    "capacity",
    "available",
    "opening_hours",
    "contact_phone",
    "contact_email",
    "acknowledge_days",
    "accept_days",
    "is_active",
)


@transaction.atomic
def ensure_provider(organisation: Organisation) -> Provider:
    """The directory entry of an organisation with Salama users (created on first use)."""
    provider, _created = Provider.objects.get_or_create(
        organisation=organisation, defaults={"managed_by": organisation}
    )
    return provider


@transaction.atomic
def add_external_provider(
    *,
    actor: Principal,
    name: str,
    country: str,
    contact_email: str,
    org_type: str = "Other",
    request: HttpRequest | None = None,
) -> Provider:
    """Add an organisation without Salama users; referrals reach it by encrypted download."""
    if actor.organisation is None or not (
        has_perm(actor, Perm.ORG_MANAGE_SETTINGS) or has_perm(actor, Perm.SYSTEM_MANAGE)
    ):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the organisation's name.")})
    if not contact_email.strip():
        raise ValidationError(
            {"contact_email": _("An external provider needs an email address for referrals.")}
        )
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("An organisation with this name already exists.")})
    org = Organisation(
        name=name, org_type=org_type, country=country.upper(), reference_prefix="EXT"
    )
    org.full_clean(exclude=["reference_prefix"])
    org.save()
    provider = Provider.objects.create(
        organisation=org,
        is_external=True,
        contact_email=contact_email.strip().lower(),
        managed_by=actor.organisation,
    )
    audit.record(
        "directory.provider_add",
        actor=actor.user,
        obj=provider,
        organisation=actor.organisation,
        changes={"name": (None, name), "country": (None, org.country), "external": (None, True)},
        request=request,
    )
    return provider


def _clean_service(data: dict[str, Any]) -> dict[str, Any]:
    from salama.people.services import _languages

    if "service_type" in data and data["service_type"] not in ServiceType.values:
        raise ValidationError({"service_type": _("Choose a service type from the list.")})
    if "name" in data and not str(data["name"]).strip():
        raise ValidationError({"name": _("Give the service a name.")})
    if "languages" in data:
        data["languages"] = _languages(data["languages"] or [])
    if "country" in data:
        data["country"] = str(data["country"]).upper()
    min_age, max_age = data.get("min_age"), data.get("max_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ValidationError({"max_age": _("The maximum age is below the minimum age.")})
    capacity, available = data.get("capacity"), data.get("available")
    if capacity is not None and available is not None and available > capacity:
        raise ValidationError({"available": _("More places are available than the capacity.")})
    return data


@transaction.atomic
def save_service(
    *,
    actor: Principal,
    provider: Provider,
    service: Service | None = None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Service:
    """Create or change a service of a provider the actor manages; stale versions are refused."""
    ensure_managed_provider(actor, provider)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    data = _clean_service(dict(fields))
    creating = service is None
    if service is None:
        data.setdefault("country", provider.organisation.country)
        service = Service(provider=provider, **data)
        service.full_clean()
        service.save()
        before: dict[str, Any] = {}
    else:
        if service.provider_id != provider.pk:
            raise PermissionDenied
        before = {f: getattr(service, f) for f in data}
        expected = service.version if expected_version is None else expected_version
        updated = Service.objects.filter(pk=service.pk, version=expected).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise ConflictError(
                _("Someone else changed this service. Reload the page and make your change again.")
            )
        service.version = expected + 1
        for name, value in data.items():
            setattr(service, name, value)
        service.full_clean()
        service.save(update_fields=[*data.keys()])
    audit.record(
        "directory.service_add" if creating else "directory.service_change",
        actor=actor.user,
        obj=service,
        organisation=actor.organisation,
        changes={"name": (None, service.name)} if creating else audit.diff(service, before),
        request=request,
    )
    return service


def find_services(
    services: QuerySet[Service],
    *,
    service_type: str = "",
    country: str = "",
    area: str = "",
    language: str = "",
    include_inactive: bool = False,
) -> list[Service]:
    """Directory search by need, place and language (language matched in Python: JSON lists)."""
    qs = services if include_inactive else services.filter(is_active=True)
    if service_type:
        qs = qs.filter(service_type=service_type)
    if country:
        qs = qs.filter(country=country.upper())
    if area:
        qs = qs.filter(area__icontains=area.strip())
    found = list(qs.order_by("country", "area", "name")[:500])
    if language:
        code = language.strip().lower()
        found = [s for s in found if not s.languages or code in s.languages]
    return found


def eligibility_problems(service: Service, case: Case) -> list[str]:
    person = case.person
    return rules.eligibility_problems(
        age=person.age_on(timezone.localdate()) if not person.is_erased else None,
        sex=person.sex,
        case_type=case.case_type,
        min_age=service.min_age,
        max_age=service.max_age,
        sexes=service.sexes or [],
        case_types=service.case_types or [],
    )

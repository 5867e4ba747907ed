"""The public REST API (OpenAPI 3 at /api/v1/openapi.json). Each app contributes a router."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema

from salama.api.auth import api_auth
from salama.core.apierrors import document_errors, install_error_handlers
from salama.core.policy import Principal


class SalamaAPI(NinjaAPI):
    """NinjaAPI whose document declares the error answers every operation can give."""

    _schemas: dict[tuple[str | None, tuple[tuple[str, Any], ...]], OpenAPISchema]

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        # The document depends only on the routers mounted at start-up, and building it walks
        # every operation's types (hundreds of milliseconds): build it once per process.
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        cache = self.__dict__.setdefault("_schemas", {})
        if key not in cache:
            schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            document_errors(schema)
            cache[key] = schema
        return cache[key]


api = SalamaAPI(
    title="Salama API",
    version="1",
    description=(
        "Case management, referral and evidence for migrant protection. Authenticate with a "
        "bearer token (Profile → API tokens) whose scopes narrow your role's permissions."
    ),
    auth=api_auth,
    docs_url=None,  # the bundled Swagger UI loads from a CDN, which the CSP forbids
    urls_namespace="api",
)
install_error_handlers(api)


def _mount_routers() -> None:
    from salama.assistance.api import router as assistance_router
    from salama.cases.api import router as cases_router
    from salama.cases.approvals_api import router as approvals_router
    from salama.cases.best_interests_api import router as best_interests_router
    from salama.cases.exploitation_api import router as exploitation_router
    from salama.cases.safety_api import router as safety_router
    from salama.evidence.api import router as evidence_router
    from salama.fieldforms.api import router as fieldforms_router
    from salama.integrations.api import router as integrations_router
    from salama.integrations.import_api import router as imports_router
    from salama.people.api import router as people_router
    from salama.people.household_api import router as household_router
    from salama.referrals.api import router as referrals_router
    from salama.referrals.collab_api import router as referral_collab_router
    from salama.returns.api import router as returns_router
    from salama.returns.monitoring_api import router as monitoring_router
    from salama.screening.api import router as screening_router
    from salama.tracing.api import router as tracing_router

    api.add_router("/people", people_router)
    api.add_router("/people", household_router)
    # Before the cases router, whose /{case_id} would otherwise take /approvals.
    api.add_router("/cases", approvals_router)
    api.add_router("/cases", cases_router)
    api.add_router("/cases", exploitation_router)
    api.add_router("/cases", safety_router)
    api.add_router("/cases", best_interests_router)
    api.add_router("/screening", screening_router)
    api.add_router("/referrals", referral_collab_router)  # before: its literal paths win
    api.add_router("/referrals", referrals_router)
    api.add_router("/assistance", assistance_router)
    api.add_router("/integrations", integrations_router)
    api.add_router("/imports", imports_router)
    from salama.evidence.release_api import router as release_router

    api.add_router("/evidence", release_router)
    api.add_router("/returns", returns_router)
    api.add_router("/fieldforms", fieldforms_router)
    api.add_router("/evidence", evidence_router)
    api.add_router("/returns", monitoring_router)  # reintegration monitoring and the programme
    from salama.matching.review_api import router as review_router

    api.add_router("/matching", review_router)
    api.add_router("/tracing", tracing_router)  # family tracing
    from salama.evidence.analysis_api import router as evidence_analysis_router

    api.add_router("/evidence", evidence_analysis_router)  # DP tables and factor analysis
    from salama.matching.run_api import router as matching_runs_router

    api.add_router("/matching", matching_runs_router)


_mount_routers()


class MembershipOut(Schema):
    organisation: str
    organisation_uuid: str
    country: str
    role: str


class MeOut(Schema):
    uuid: str
    email: str
    full_name: str
    membership: MembershipOut | None
    permissions: list[str]


@api.get("/me", response=MeOut, tags=["accounts"], summary="Who the caller is acting as")
def me(request: HttpRequest) -> MeOut:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    membership = principal.membership
    return MeOut(
        uuid=str(principal.user.uuid),
        email=principal.user.email,
        full_name=principal.user.full_name,
        membership=MembershipOut(
            organisation=membership.organisation.name,
            organisation_uuid=str(membership.organisation.uuid),
            country=membership.organisation.country,
            role=membership.role,
        )
        if membership
        else None,
        permissions=sorted(principal.permissions),
    )

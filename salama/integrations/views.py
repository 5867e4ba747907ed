"""Integration pages for organisation administrators: the list, a new integration (its secret
shown once), an integration's settings and delivery log, re-keying, a test event, re-sending.

Each view checks the permission first (403), fetches through the policy (404 for another
organisation's integration), makes one service call and redirects with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.core.policy import principal_for, require_perm
from salama.integrations import queries, services
from salama.integrations.access import (
    MANAGE,
    access_delivery,
    access_integration,
    visible_integrations,
)
from salama.integrations.forms import IntegrationForm, IntegrationSettingsForm
from salama.integrations.models import Integration


def _secret_page(request: HttpRequest, integration: Integration, secret: str) -> HttpResponse:
    response = render(
        request, "integrations/secret.html", {"integration": integration, "secret": secret}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def integration_list(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), MANAGE)
    integrations = visible_integrations(principal).order_by("name")
    return render(request, "integrations/list.html", {"integrations": integrations})


@login_required
def integration_create(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), MANAGE)
    form = IntegrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            integration, secret = services.create_integration(
                actor=principal, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _secret_page(request, integration, secret)
    return render(
        request, "integrations/form.html", {"form": form}, status=400 if form.errors else 200
    )


def _detail(
    request: HttpRequest, integration: Integration, form: Any = None, status: int = 200
) -> HttpResponse:
    form = form or IntegrationSettingsForm(
        initial={
            "name": integration.name,
            "target_url": integration.target_url,
            "events": integration.events,
            "scopes": integration.scopes,
            "is_active": integration.is_active,
            "version": integration.version,
        }
    )
    return render(
        request,
        "integrations/detail.html",
        {
            "integration": integration,
            "form": form,
            "deliveries": queries.delivery_log(integration),
        },
        status=status,
    )


@login_required
def integration_detail(request: HttpRequest, integration_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), MANAGE)
    return _detail(request, access_integration(principal, integration_id))


@login_required
@require_POST
def integration_settings(request: HttpRequest, integration_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), MANAGE)
    integration = access_integration(principal, integration_id)
    form = IntegrationSettingsForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_integration(
                actor=principal,
                integration=integration,
                expected_version=data.pop("version"),
                request=request,
                **data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The integration was saved."))
            return redirect(integration)
    return _detail(request, integration, form, status=400)


@login_required
@require_POST
def integration_rotate(request: HttpRequest, integration_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), MANAGE)
    integration = access_integration(principal, integration_id)
    secret = services.rotate_integration_secret(
        actor=principal, integration=integration, request=request
    )
    return _secret_page(request, integration, secret)


@login_required
@require_POST
def integration_test(request: HttpRequest, integration_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), MANAGE)
    integration = access_integration(principal, integration_id)
    try:
        services.send_test_event(actor=principal, integration=integration, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("A test event was queued. Its outcome shows in the log."))
    return redirect(integration)


@login_required
@require_POST
def delivery_resend(request: HttpRequest, delivery_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), MANAGE)
    delivery = access_delivery(principal, delivery_id)
    try:
        services.resend_delivery(actor=principal, delivery=delivery, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The event was queued to be sent again."))
    return redirect(delivery.integration)

"""Pages for anonymised releases: the list and request form, a release's report, the decision
and the download. Only counts and codes are shown; no page here reads a person or a case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salama.core.policy import (
    Principal,
    has_perm,
    principal_for,
    require_any_perm,
    require_perm,
)
from salama.core.roles import Perm
from salama.evidence import release as anon
from salama.evidence import release_services as services
from salama.evidence.release_access import RELEASE_PERMS, access_release, visible_releases
from salama.evidence.release_models import AnonymisedRelease, ReleaseStatus

# How each kind of column is generalised, for the report page (translated on display).
GENERALISATION_TEXT = {
    "yearOfRegistration": gettext_lazy("Year only; no month or day."),
    "ageBroad": gettext_lazy(
        "Age in bands: 0–8, 9–17, 18–20, 21–23, 24–26, 27–29, 30–38, 39–47, 48 and over."
    ),
    "majorityStatus": gettext_lazy("Adult or minor only."),
    "citizenship": gettext_lazy("Country code (ISO 3166), the first citizenship recorded."),
    "CountryOfExploitation": gettext_lazy("Country code (ISO 3166) of the first exploitation."),
    "flags": gettext_lazy("Types of exploitation and means of control as yes/no flags."),
}


class ReleaseRequestForm(forms.Form):
    k = forms.IntegerField(
        label=gettext_lazy("k (smallest group size)"),
        min_value=2,
        max_value=services.MAX_K,
        initial=anon.DEFAULT_K,
        help_text=gettext_lazy(
            "Every combination of published values will occur at least k times. "
            "CTDC publishes with k = 11."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"),
        max_length=services.PURPOSE_LENGTH,
        help_text=gettext_lazy("What the release is for and who will receive it."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _principal(request: HttpRequest) -> Principal:
    principal = require_any_perm(principal_for(request), *RELEASE_PERMS)
    return principal


@login_required
def release_list(request: HttpRequest) -> HttpResponse:
    """The organisation's releases, and the form to request one."""
    principal = _principal(request)
    can_request = has_perm(principal, Perm.RELEASE_REQUEST)
    form = ReleaseRequestForm(request.POST or None) if can_request else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            item = services.request_release(actor=principal, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("The release was requested. Another person must approve it.")
            )
            return redirect("evidence:release-detail", release_id=item.pk)
    releases = visible_releases(principal).select_related("requested_by", "decided_by")
    return render(
        request,
        "evidence/release/list.html",
        {"releases": releases, "form": form, "min_k": services.min_k()},
        status=400 if form is not None and form.errors else 200,
    )


def _report_rows(item: AnonymisedRelease) -> list[dict[str, Any]]:
    report = item.report or {}
    suppressed = report.get("cells_suppressed", {})
    rows_out = report.get("rows_out", 0)
    return [
        {"column": name, "cells": count, "share": (count / rows_out) if rows_out else 0}
        for name, count in suppressed.items()
    ]


@login_required
def release_detail(request: HttpRequest, release_id: Any) -> HttpResponse:
    """A release: its status and, once built, its report."""
    principal = _principal(request)
    item = access_release(principal, release_id)
    may_decide = (
        has_perm(principal, Perm.RELEASE_APPROVE)
        and item.status == ReleaseStatus.REQUESTED
        and item.requested_by_id != principal.user.pk
    )
    return render(
        request,
        "evidence/release/detail.html",
        {
            "item": item,
            "report": item.report or {},
            "report_rows": _report_rows(item),
            "generalisation": [(name, text) for name, text in GENERALISATION_TEXT.items()],
            "may_decide": may_decide,
            "decision_form": DecisionForm(initial={"version": item.version}),
            "own_request": item.requested_by_id == principal.user.pk,
        },
    )


@login_required
@require_POST
def release_decide(request: HttpRequest, release_id: Any) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.RELEASE_APPROVE)
    item = access_release(principal, release_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to reject the release."))
        return redirect("evidence:release-detail", release_id=item.pk)
    decide = (
        services.approve_release
        if form.cleaned_data["decision"] == "approve"
        else services.reject_release
    )
    try:
        decide(actor=principal, release=item, version=form.cleaned_data["version"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your decision was recorded."))
    return redirect("evidence:release-detail", release_id=item.pk)


@login_required
def release_download(request: HttpRequest, release_id: Any) -> HttpResponse:
    principal = _principal(request)
    item = access_release(principal, release_id)
    try:
        data = services.download_release(actor=principal, release=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evidence:release-detail", release_id=item.pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="salama-release-k{item.k}-{item.built_at:%Y%m%d}.zip"'
    )
    response["Cache-Control"] = "no-store"
    return response

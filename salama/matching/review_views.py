"""The duplicate review pages: the queue, a pair side by side, a merge and its undo."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.core.policy import request_principal
from salama.core.roles import Perm
from salama.matching import review_queries as queries
from salama.matching import review_services as services
from salama.matching.access import access_candidate, access_merge
from salama.matching.review_forms import MergeForm, NotDuplicateForm
from salama.people.forms import apply_errors
from salama.people.queries import record_person_view


def _keep_choices(view: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (side["id"], side["full_name"] or _("(no name)"))
        for side in view["sides"]
        if side.get("disclosed")
    ]


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    cluster = (request.GET.get("cluster") or "")[:36]
    page = queries.queue_page(principal, request.GET.get("page"), cluster=cluster)
    rows = []
    for pair in page:
        rows.append(
            {
                "pair": pair,
                "band": queries.band_words(pair.probability),
                "sides": [
                    {
                        "own": p.registered_by_id == principal.organisation.pk,
                        "name": p.full_name
                        if not pair.cross_organisation
                        or p.registered_by_id == principal.organisation.pk
                        else "",
                        "organisation": p.registered_by.name,
                    }
                    for p in (pair.person_a, pair.person_b)
                ],
            }
        )
    return render(
        request,
        "matching/review/queue.html",
        {
            "page": page,
            "rows": rows,
            "cluster": cluster,
            "query_string": f"cluster={cluster}" if cluster else "",
        },
    )


def _pair_page(
    request: HttpRequest, principal: Any, pair: Any, *, merge_form: Any = None, nd_form: Any = None
) -> HttpResponse:
    view = queries.pair_view(principal, pair)
    if view["disclosed"]:
        for side in view["sides"]:
            record_person_view(
                principal,
                side["person"],
                "given_name",
                "family_name",
                "other_names",
                "date_of_birth",
                request=request,
            )
    context = {
        **view,
        "merge_form": merge_form or MergeForm(choices=_keep_choices(view)),
        "not_duplicate_form": nd_form or NotDuplicateForm(),
        "decided": pair.status not in ("open", "undone"),
    }
    status = 400 if (merge_form is not None or nd_form is not None) else 200
    return render(request, "matching/review/pair.html", context, status=status)


@login_required
def review_pair(request: HttpRequest, pair_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    pair = access_candidate(principal, pair_id)
    return _pair_page(request, principal, pair)


@login_required
@require_POST
def review_pair_merge(request: HttpRequest, pair_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    pair = access_candidate(principal, pair_id)
    view = queries.pair_view(principal, pair)
    form = MergeForm(request.POST, choices=_keep_choices(view))
    if form.is_valid():
        keep = (
            pair.person_a if form.cleaned_data["keep"] == str(pair.person_a_id) else pair.person_b
        )
        try:
            merge = services.merge_pair(
                actor=principal,
                pair=pair,
                keep=keep,
                reason_code=form.cleaned_data["reason_code"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Merged. You can undo the merge from this page."))
            return redirect("matching:review-merge", merge.pk)
    return _pair_page(request, principal, pair, merge_form=form)


@login_required
@require_POST
def review_pair_not_duplicate(request: HttpRequest, pair_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    pair = access_candidate(principal, pair_id)
    form = NotDuplicateForm(request.POST)
    if form.is_valid():
        try:
            services.mark_not_duplicate(
                actor=principal,
                pair=pair,
                reason_code=form.cleaned_data["reason_code"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Marked as two different persons; they will not be proposed again.")
            )
            return redirect("matching:review-queue")
    return _pair_page(request, principal, pair, nd_form=form)


@login_required
@require_POST
def review_pair_disclose(request: HttpRequest, pair_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    pair = access_candidate(principal, pair_id)
    try:
        services.agree_to_disclose(actor=principal, pair=pair, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "Your organisation agreed. The records are shown once the other organisation agrees too."
            ),
        )
    return redirect("matching:review-pair", pair.pk)


@login_required
def review_merge(request: HttpRequest, merge_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    merge = access_merge(principal, merge_id)
    return render(request, "matching/review/merge.html", {"merge": merge, "moved": merge.moved})


@login_required
@require_POST
def review_merge_undo(request: HttpRequest, merge_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.MATCHING_REVIEW)
    merge = access_merge(principal, merge_id)
    try:
        services.undo_merge(actor=principal, merge=merge, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The merge was undone: both persons are back as they were."))
    return redirect("matching:review-merge", merge.pk)

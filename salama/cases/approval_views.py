"""Supervision approval pages: the approver's queue, a decision, and a plan sent for approval.

The case page's approvals section gets its context from `approvals_context` (one line in
salama.cases.views._detail_context) and renders cases/partials/_approvals.html.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salama.cases import approval_queries, approvals, services
from salama.cases.access import access_case
from salama.cases.choices import ApprovalKind, ApprovalStatus
from salama.cases.models import ApprovalRequest, Case
from salama.core.policy import Principal, has_perm, request_principal, require_perm
from salama.core.roles import Perm


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What"),
        required=False,
        choices=[("", gettext_lazy("Everything")), *ApprovalKind.choices],
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", gettext_lazy("Approve")),
            ("reject", gettext_lazy("Return for changes")),
        ]
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required when you return it: say what should change."),
    )


def queue_url(kind: str = "") -> str:
    url = reverse("cases:approval-queue")
    return f"{url}?{urlencode({'kind': kind})}" if kind else url


def approvals_context(request: HttpRequest, principal: Principal, case: Case) -> dict[str, Any]:
    """The case page's approvals section."""
    section = approval_queries.case_approvals(principal, case)
    section["can_submit_plan"] = (
        has_perm(principal, Perm.CASE_CHANGE)
        and not case.is_closed
        and approvals.approval_required(case.organisation, ApprovalKind.CASE_PLAN)
        and case.plan_items.exists()
        and not (section["plan"] is not None and section["plan"].is_pending)
        and section["plan_state"] != "approved"
    )
    section["pending_closure"] = any(
        i.kind == ApprovalKind.CLOSURE and i.status == ApprovalStatus.PENDING
        for i in section["items"]
    )
    section["decide_form"] = DecideForm()
    return {"approvals": section}


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    require_perm(principal, Perm.CASE_APPROVE)
    form = QueueFilterForm(request.GET or None)
    kind = form.cleaned_data.get("kind", "") if form.is_valid() else ""
    counts = approval_queries.pending_counts(principal)
    return render(
        request,
        "cases/approval_queue.html",
        {
            "form": form,
            "kind": kind,
            "items": approval_queries.approval_queue(principal, kind),
            "kinds": [(value, label, counts[value]) for value, label in ApprovalKind.choices],
            "decide_form": DecideForm(),
            "me": principal.user,
        },
    )


@login_required
@require_POST
def approval_decide(request: HttpRequest, request_id: str) -> HttpResponse:
    principal = request_principal(request)
    pending = approval_queries.find_pending(principal, request_id)
    if pending is None:
        raise Http404("Not found")
    form = DecideForm(request.POST)
    back = request.POST.get("next") == "case"
    target = pending.case.get_absolute_url() + "#approvals" if back else queue_url()
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to return it."))
        return redirect(target)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        if isinstance(pending, ApprovalRequest):
            approvals.decide(
                actor=principal,
                approval=pending,
                approve=approve,
                comment=form.cleaned_data["comment"],
                request=request,
            )
        else:
            services.decide_reassignment(
                actor=principal, reassignment=pending, approve=approve, request=request
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(target)
    messages.success(
        request, _("Approved.") if approve else _("Returned to the caseworker with your comment.")
    )
    return redirect(target)


@login_required
@require_POST
def case_plan_submit(request: HttpRequest, case_id: str) -> HttpResponse:
    principal = request_principal(request)
    case = access_case(principal, case_id, for_write=True)
    try:
        approvals.submit_plan(actor=principal, case=case, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The plan was sent to a supervisor for approval."))
    return redirect(case.get_absolute_url() + "#approvals")

"""People pages: search, registration with a duplicate warning, the person page, consent, erasure.

Every page that shows identifying data writes an audit entry (`person.view`, `person.search`,
`person.duplicates`); search text and names never enter the audit chain.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.core.downloads import private_file_response
from salama.core.errors import ConflictError
from salama.core.pagination import LightPage
from salama.core.policy import (
    Principal,
    get_or_404,
    has_perm,
    principal_for,
    request_principal,
    require_perm,
    visible,
)
from salama.core.ratelimit import allow_search
from salama.core.roles import Perm
from salama.people import queries, search_reasons, services
from salama.people.access import access_person
from salama.people.forms import (
    ConsentForm,
    ContactForm,
    DocumentForm,
    EditPersonForm,
    EraseForm,
    PhotoForm,
    RegisterForm,
    SearchForm,
    WithdrawConsentForm,
    apply_errors,
)
from salama.people.household_page import household_context
from salama.people.models import Consent, Person

LIST_PAGE_SIZE = 25


def reason_labels(reasons: Any) -> list[str]:
    """Why a person was found, in words (salama.people.search_reasons)."""
    return search_reasons.describe(reasons)


# Search ------------------------------------------------------------------------------------


def _too_many_searches() -> HttpResponse:
    return HttpResponse(
        _("Too many searches in a minute. Wait a moment and search again."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    # Names travel in the POST body, never in URLs that access logs and browser history keep.
    form = SearchForm(request.POST if request.method == "POST" else None)
    query, birth_year = "", None
    if form.is_valid():
        query, birth_year = form.cleaned_data["q"].strip(), form.cleaned_data["birth_year"]
    page: LightPage[Person] | None = None
    if query and not allow_search(principal.user.pk):
        return _too_many_searches()
    identifier_groups: list[tuple[str, list[Any]]] = []
    empty_message = ""
    if query:
        hits = queries.find_people(principal, query, birth_year=birth_year, request=request)
        by_identifier, by_name = search_reasons.group_hits(hits)
        # Exact identifier matches first, a group per kind ("Same document number").
        for kind, heading in search_reasons.IDENTIFIER_GROUPS.items():
            group = [(h.person, []) for h in by_identifier if h.reasons[0] == kind]
            if group:
                identifier_groups.append((str(heading), group))
        rows = [(h.person, reason_labels(h.reasons)) for h in by_name]
        if not hits:
            empty_message = str(search_reasons.EMPTY_MESSAGES[search_reasons.empty_code(query)])
    else:
        page = queries.recent_people(
            principal, request.GET.get("page"), LIST_PAGE_SIZE, request=request
        )
        rows = [(p, []) for p in page]
    context = {
        "form": form,
        "rows": rows,
        "identifier_groups": identifier_groups,
        "empty_message": empty_message,
        "page": page,
        "query": query,
        "can_create": has_perm(principal, Perm.PERSON_CREATE),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "people/partials/_results.html", context)
    return render(request, "people/person_list.html", context)


# Registration ------------------------------------------------------------------------------


def _duplicates(request: HttpRequest, principal: Principal, form: RegisterForm) -> list[Any]:
    data = form.cleaned_data
    candidates = queries.duplicate_candidates(
        principal,
        given_name=data.get("given_name") or "",
        family_name=data.get("family_name") or "",
        date_of_birth=data.get("date_of_birth"),
        nationalities=data.get("nationalities") or [],
        document_numbers=form.document_numbers(),
        request=request,
    )
    return [(c, reason_labels(c.reasons)) for c in candidates]


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.PERSON_CREATE)
    form = RegisterForm(request.POST or None)
    candidates: list[Any] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if not form.cleaned_data["none_of_these"]:
                candidates = _duplicates(request, principal, form)
            if not candidates:
                try:
                    person = services.register_person(
                        actor=principal,
                        **form.identity(),
                        documents=_document_inputs(form),
                        contacts=_contact_inputs(form),
                        request=request,
                    )
                except ValidationError as exc:
                    apply_errors(form, exc, RegisterForm.SERVICE_FIELDS)
                else:
                    messages.success(request, _("The person was registered."))
                    return redirect(person)
        status = 400 if form.errors else 200
    form.set_autofocus()
    return render(
        request, "people/person_form.html", {"form": form, "candidates": candidates}, status=status
    )


def _document_inputs(form: RegisterForm) -> list[services.DocumentInput]:
    data = form.cleaned_data
    if not data.get("document_number"):
        return []
    return [
        services.DocumentInput(
            doc_type=data["document_type"],
            number=data["document_number"],
            issuing_country=data["document_issuing_country"],
            expiry=data["document_expiry"],
        )
    ]


def _contact_inputs(form: RegisterForm) -> list[services.ContactInput]:
    phone = form.cleaned_data.get("phone")
    return [services.ContactInput(kind="phone", value=phone)] if phone else []


@login_required
@require_POST
def person_duplicates(request: HttpRequest) -> HttpResponse:
    """The live duplicate check while registering (POST, so names stay out of URLs and logs)."""
    principal = require_perm(principal_for(request), Perm.PERSON_CREATE)
    form = RegisterForm(request.POST)
    form.is_valid()  # a partly filled form still has usable names
    form.cleaned_data.setdefault("none_of_these", False)
    has_name = form.cleaned_data.get("given_name") or form.cleaned_data.get("family_name")
    if has_name and not allow_search(principal.user.pk):
        return _too_many_searches()
    candidates = _duplicates(request, principal, form) if has_name else []
    return render(request, "people/partials/_duplicates.html", {"candidates": candidates})


# The person page ---------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest, principal: Principal, person: Person, **forms: Any
) -> dict[str, Any]:
    # The cases app's rule, through the registry: people does not import cases.
    cases = (
        visible(principal, "cases.case")
        .filter(person=person)
        .select_related("assigned_to")
        .order_by("-opened_at")
    )
    consents = person.consents.select_related("recipient", "organisation").order_by("-recorded_at")
    queries.record_person_view(principal, person, request=request)
    return {
        "person": person,
        "documents": list(person.documents.all()),
        "contacts": list(person.contacts.all()),
        "consents": list(consents),
        "cases": list(cases),
        "can_change": has_perm(principal, Perm.PERSON_CHANGE),
        "can_consent": has_perm(principal, Perm.CONSENT_RECORD),
        "can_erase": has_perm(principal, Perm.PERSON_ERASE),
        "can_open_case": has_perm(principal, Perm.CASE_CREATE),
        "own_org_id": principal.organisation.pk if principal.organisation else None,
        "document_form": forms.get("document_form") or DocumentForm(),
        "contact_form": forms.get("contact_form") or ContactForm(),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "withdraw_form": WithdrawConsentForm(),
        "erase_form": forms.get("erase_form") or EraseForm(),
        **household_context(request, principal, person, **forms),
    }


@login_required
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    try:
        person = access_person(principal, person_id)
    except Http404:
        return _merged_into(request, principal, person_id)
    return render(request, "people/person_detail.html", _detail_context(request, principal, person))


def _merged_into(request: HttpRequest, principal: Any, person_id: str) -> HttpResponse:
    """A person merged into another: say where to, to those who may see the kept person."""
    merge = (
        visible(principal, "matching.personmerge")
        .filter(merged_id=person_id, undone_at__isnull=True)
        .select_related("kept")
        .first()
    )
    if merge is None:
        raise Http404("Not found")
    return render(request, "people/person_merged.html", {"merge": merge, "kept": merge.kept})


@login_required
def person_edit(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    form = EditPersonForm(request.POST or None, initial=EditPersonForm.initial_for(person))
    status = 200
    if request.method == "POST" and form.is_valid():
        changes = form.identity()
        if changes["date_of_birth"] is not None:
            changes.pop("estimated_age")
        if not changes["birth_date_accuracy"]:
            changes.pop("birth_date_accuracy")
        try:
            services.update_person(
                actor=principal,
                person=person,
                expected_version=form.cleaned_data["version"],
                changes=changes,
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, exc.messages)
            status = 409
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(person)
    if request.method == "POST":
        status = status if status != 200 else 400
        form.set_autofocus()
    else:
        queries.record_person_view(principal, person, request=request)
    return render(
        request, "people/person_edit.html", {"form": form, "person": person}, status=status
    )


@login_required
@require_POST
def document_add(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    form = DocumentForm(request.POST)
    if form.is_valid():
        try:
            services.add_document(
                actor=principal,
                person=person,
                document=services.DocumentInput(**form.cleaned_data),
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The document was added."))
            return redirect(person)
    context = _detail_context(request, principal, person, document_form=form)
    return render(request, "people/person_detail.html", context, status=400)


@login_required
@require_POST
def contact_add(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.add_contact(
                actor=principal,
                person=person,
                contact=services.ContactInput(**form.cleaned_data),
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The contact was added."))
            return redirect(person)
    context = _detail_context(request, principal, person, contact_form=form)
    return render(request, "people/person_detail.html", context, status=400)


# Photo -------------------------------------------------------------------------------------


@login_required
@require_POST
def photo_upload(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id, for_write=True)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.set_photo(
                actor=principal, person=person, upload=form.cleaned_data["photo"], request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The photo was saved."))
            return redirect(person)
    context = _detail_context(request, principal, person, photo_form=form)
    return render(request, "people/person_detail.html", context, status=400)


@login_required
def person_photo(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = request_principal(request, Perm.PERSON_VIEW)
    person = access_person(principal, person_id)
    if not person.photo:
        raise Http404("No photo")
    data = person.photo.read_plain()
    queries.record_person_view(principal, person, "photo", request=request)
    content_type = services.photo_content_type(data[:16]) or "application/octet-stream"
    return private_file_response(data, content_type)


# Consent -----------------------------------------------------------------------------------


@login_required
def consent_create(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.CONSENT_RECORD)
    person = access_person(principal, person_id)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consent(
                actor=principal,
                person=person,
                purpose=data["purpose"],
                method=data["method"],
                given_on=data["given_on"],
                expires_on=data["expires_on"],
                recipient=data["recipient"],
                service_type=data["service_type"],
                guardian_name=data["guardian_name"],
                checklist=form.checklist(),
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect(person)
    status = 400 if form.errors else 200
    return render(
        request, "people/consent_form.html", {"form": form, "person": person}, status=status
    )


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, person_id: str, consent_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.CONSENT_RECORD)
    person = access_person(principal, person_id)
    consent = get_or_404(Consent.objects.filter(person=person), id=consent_id)
    form = WithdrawConsentForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.withdraw_consent(actor=principal, consent=consent, note=note, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The consent was withdrawn; its purpose is blocked from now on.")
        )
    return redirect(person)


# Erasure -----------------------------------------------------------------------------------


@login_required
@require_POST
def person_erase(request: HttpRequest, person_id: str) -> HttpResponse:
    principal = require_perm(principal_for(request), Perm.PERSON_ERASE)
    person = access_person(principal, person_id)
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            services.erase_person(
                actor=principal, person=person, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return render(request, "people/person_erased.html", {"person_id": person.pk})
    context = _detail_context(request, principal, person, erase_form=form)
    return render(request, "people/person_detail.html", context, status=400)

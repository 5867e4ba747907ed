"""What delivers each plan item, and which contact a task or plan item was agreed at.

A referral or an assistance item may name the plan item it delivers. Cases knows neither app
(they import cases, not the other way round): each registers, from its AppConfig.ready, a
function `deliveries_for(principal, plan_items) -> {plan_item_id: [Delivery]}` that returns only
what the principal may see. The case page asks every registered function and shows the rows
under their plan item.

Rules: docs/domain.md#plan-items-and-what-delivers-them. A plan item, like a contact, is chosen
from the same case: a service given one of another case refuses it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from salama.cases.choices import PlanItemStatus
from salama.cases.models import Case, PlanItem
from salama.cases.safety_models import Contact
from salama.core.policy import Principal, has_perm
from salama.core.roles import Perm

OPEN_PLAN_STATUSES = (PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Delivery:
    """One referral or assistance item delivering a plan item, as the case page shows it."""

    kind: str  # what it is, in the reader's language ("Referral", "Assistance")
    label: str  # which one (a service, a service type)
    status: str  # its status, in the reader's language
    url: str = ""  # a page the reader may open, or empty


DeliveriesFor = Callable[[Principal, Sequence[PlanItem]], dict[uuid.UUID, list[Delivery]]]
_PROVIDERS: dict[str, DeliveriesFor] = {}


def register_deliveries(key: str, reader: DeliveriesFor) -> None:
    """Declare where plan items' deliveries are read (from an app's ready(); a key again
    replaces it)."""
    _PROVIDERS[key] = reader


def deliveries(principal: Principal, plan_items: Sequence[PlanItem]) -> dict[str, list[Delivery]]:
    """Every registered app's deliveries of these plan items, by plan item id (as text)."""
    found: dict[str, list[Delivery]] = {}
    if not plan_items:
        return found
    for key in sorted(_PROVIDERS):
        for item_id, rows in _PROVIDERS[key](principal, plan_items).items():
            found.setdefault(str(item_id), []).extend(rows)
    return found


# Choosing a plan item or a contact of the same case -----------------------------------------------

OTHER_CASE_PLAN_ITEM = gettext_lazy("Choose a plan item of this case, or none.")
OTHER_CASE_CONTACT = gettext_lazy("Choose a contact of this case, or none.")


def check_plan_item(case: Any, plan_item: PlanItem | None) -> None:
    """Refuse a plan item of another case (services call this after their access check)."""
    if plan_item is not None and plan_item.case_id != case.pk:
        raise ValidationError({"plan_item": str(OTHER_CASE_PLAN_ITEM)})


def check_contact(case: Any, contact: Contact | None) -> None:
    """Refuse a contact of another case."""
    if contact is not None and contact.case_id != case.pk:
        raise ValidationError({"contact": str(OTHER_CASE_CONTACT)})


def plan_item_by_id(value: uuid.UUID | None) -> PlanItem | None:
    """The plan item an API input names (None for none); an unknown id is refused the same way
    as one of another case, so the answer says nothing of other cases."""
    if value is None:
        return None
    item = PlanItem.objects.filter(pk=value).select_related("case").first()
    if item is None:
        raise ValidationError({"plan_item": str(OTHER_CASE_PLAN_ITEM)})
    return item


def contact_by_id(value: uuid.UUID | None) -> Contact | None:
    """The contact an API input names (None for none); unknown ids are refused as above."""
    if value is None:
        return None
    contact = Contact.objects.filter(pk=value).first()
    if contact is None:
        raise ValidationError({"contact": str(OTHER_CASE_CONTACT)})
    return contact


class PlanItemChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        text = str(obj.action)
        return text if len(text) <= 80 else text[:79] + "…"


class ContactChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        when = formats.date_format(timezone.localtime(obj.occurred_at), "SHORT_DATETIME_FORMAT")
        return f"{when} · {obj.get_mode_display()}"


def plan_item_field() -> PlanItemChoiceField:
    return PlanItemChoiceField(
        queryset=PlanItem.objects.none(),
        label=gettext_lazy("Delivers the plan item"),
        required=False,
        empty_label=gettext_lazy("None"),
        help_text=gettext_lazy("The case plan action this carries out, if any."),
    )


def contact_field() -> ContactChoiceField:
    # The menu lists the case's own contacts only (AgreedAtContact); the service checks again.
    return ContactChoiceField(
        queryset=Contact.objects.none(),
        error_messages={"invalid_choice": OTHER_CASE_CONTACT},
        label=gettext_lazy("Agreed at contact"),
        required=False,
        empty_label=gettext_lazy("None"),
        help_text=gettext_lazy("The contact of the contact log where this was agreed, if any."),
    )


def offer_plan_items(form: forms.Form, case: Case) -> None:
    """Let `form`'s plan_item field choose among the case's open plan items."""
    field = form.fields["plan_item"]
    field.queryset = case.plan_items.filter(  # type: ignore[attr-defined]
        status__in=OPEN_PLAN_STATUSES
    )


def offer_contacts(form: forms.Form, case: Case | uuid.UUID | str | None) -> None:
    """Let `form`'s contact field choose among the case's contacts, newest first (none without
    a case)."""
    field = form.fields["contact"]
    field.queryset = (  # type: ignore[attr-defined]
        Contact.objects.filter(
            **({"case": case} if isinstance(case, Case) else {"case_id": case})
        ).order_by("-occurred_at", "-created_at")
        if case is not None
        else Contact.objects.none()
    )


class AgreedAtContact(forms.Form):
    """A form with a `contact` field (contact_field()) whose menu lists the contacts of `case`
    (a case, or the id from the page's address, which the view has checked access to)."""

    def __init__(
        self, *args: Any, case: Case | uuid.UUID | str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_contacts(self, case)


def plan_links_context(principal: Principal, case: Case) -> dict[str, Any]:
    """The case page's deliveries under each plan item (none once the person is erased)."""
    items = [] if case.person.is_erased else list(case.plan_items.all())
    return {
        "plan_deliveries": deliveries(principal, items),
        "open_plan_statuses": [str(s) for s in OPEN_PLAN_STATUSES],
        "may_refer": has_perm(principal, Perm.REFERRAL_SEND),
    }


def initial_plan_item(case: Case, value: Any) -> str | None:
    """A plan item pre-selected from a link (?plan_item=): kept only if open and of the case."""
    try:
        item_id = uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None
    ok = case.plan_items.filter(pk=item_id, status__in=OPEN_PLAN_STATUSES).exists()
    return str(item_id) if ok else None

"""Forms of the referral pages: input shape only; the services own the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from salama.accounts.models import Membership, Organisation, User
from salama.cases.choices import CaseType
from salama.cases.plan_links import plan_item_field
from salama.cases.queries import staff_of
from salama.core.countries import country_choices
from salama.core.roles import Role
from salama.core.taxonomy import ServiceType
from salama.people.choices import Sex
from salama.referrals.choices import OpenItems, PacketField, Urgency
from salama.referrals.directory import SERVICE_FIELDS
from salama.referrals.models import Service


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *list(choices)]


class LanguagesField(forms.CharField):
    """ISO 639 codes typed as a comma-separated list."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value) or ""
        return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]


class DirectorySearchForm(forms.Form):
    service_type = forms.ChoiceField(
        label=_("Need"), choices=_blank(ServiceType.choices, _("Any service")), required=False
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=lambda: _blank(country_choices(), _("Any country")),
        required=False,
    )
    area = forms.CharField(label=_("Area"), max_length=120, required=False)
    language = forms.CharField(
        label=_("Language (ISO 639)"),
        max_length=3,
        required=False,
        help_text=_("e.g. ar, ti, fr; services without a language list are shown too."),
    )
    case = forms.UUIDField(widget=forms.HiddenInput, required=False)


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    languages = LanguagesField(
        label=_("Languages (ISO 639)"), required=False, help_text=_("Comma-separated: ar, en, fr")
    )
    sexes = forms.MultipleChoiceField(
        label=_("Only for (empty: anyone)"),
        choices=[c for c in Sex.choices if c[0] != Sex.UNKNOWN],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    case_types = forms.MultipleChoiceField(
        label=_("Only for case types (empty: all)"),
        choices=CaseType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Service
        fields = list(SERVICE_FIELDS)


class ExternalProviderForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    contact_email = forms.EmailField(
        label=_("Email for referrals"),
        help_text=_("Referrals arrive here as a link to an encrypted, expiring download."),
    )


class PacketFieldsMixin(forms.Form):
    packet_fields = forms.MultipleChoiceField(
        label=_("What the recipient will see"),
        choices=PacketField.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Share the least that lets them help. The recipient sees only these fields, as they "
            "are now, and never the case itself."
        ),
    )
    needs_note = forms.CharField(
        label=_("Needs note for the recipient"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        help_text=_("Shared only if “Needs note” is ticked above."),
    )


class ReferralForm(PacketFieldsMixin):
    consent_confirmed = forms.BooleanField(
        label=_("I have checked that the person agrees to this referral"),
        required=False,
        help_text=_("The consent recorded for this organisation and service is shown above."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Emergency: acknowledged within 4 hours, decided the same day. High: acknowledged "
            "within a day, decided within 3 days. Normal and low: the service's own deadlines."
        ),
    )
    sender_phone = forms.CharField(
        label=_("Your phone for this referral"),
        max_length=40,
        required=False,
        help_text=_("The provider calls you on it; your work number, never the person's."),
    )
    sender_email = forms.EmailField(label=_("Your email for this referral"), required=False)
    purpose_note = forms.CharField(
        label=_("What you ask the provider to do"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The recipient reads this. Keep identifying details in the packet fields."),
    )
    emergency_override_reason = forms.CharField(
        label=_("Emergency override: why this cannot wait for consent"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Only when there is no consent and the person is in danger. Audited."),
    )
    plan_item = plan_item_field()

    field_order = ("consent_confirmed", "urgency", "purpose_note")

    def __init__(
        self,
        *args: Any,
        can_override: bool = False,
        has_consent: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["emergency_override_reason"]
        if has_consent:
            self.fields["consent_confirmed"].required = True
            self.fields["consent_confirmed"].error_messages["required"] = _(
                "Confirm that the person agrees to this referral before sending it."
            )
        else:
            del self.fields["consent_confirmed"]
            if "emergency_override_reason" in self.fields:
                self.fields["emergency_override_reason"].required = True


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "The other organisation reads it. Write nothing about the person that the packet "
            "does not already share."
        ),
    )


class MoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    delivery_note = forms.CharField(
        label=_("What was delivered"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


def transfer_targets(own: Organisation) -> Any:
    supervised = Membership.objects.filter(
        organisation=OuterRef("pk"), role=Role.SUPERVISOR, is_active=True
    )
    return Organisation.objects.filter(Exists(supervised), is_active=True).exclude(pk=own.pk)


class TransferForm(PacketFieldsMixin):
    to_org = forms.ModelChoiceField(
        label=_("Transfer to"), queryset=Organisation.objects.none(), to_field_name="uuid"
    )
    reason = forms.CharField(
        label=_("Why the case should move"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    open_items = forms.ChoiceField(
        label=_("Open assistance items on our funds"),
        choices=[
            (
                OpenItems.CANCEL,
                _(
                    "Cancel them when the transfer is accepted: approved amounts go back to our funds"
                ),
            ),
            (
                OpenItems.KEEP,
                _("Keep them with us: we still pay or cancel them; the receiving side never can"),
            ),
        ],
        widget=forms.RadioSelect,
        required=False,
        error_messages={
            "required": _(
                "Choose whether to cancel the open assistance items or keep them with your "
                "organisation."
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        open_items_count: int = 0,
        open_items_total: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = transfer_targets(organisation)  # type: ignore[attr-defined]
        choice = self.fields["open_items"]
        choice.required = open_items_count > 0
        if open_items_count:
            choice.help_text = ngettext(
                "The case has %(n)s requested or approved item on your funds (%(total)s). "
                "Items requested before the transfer is accepted follow the same choice.",
                "The case has %(n)s requested or approved items on your funds (%(total)s). "
                "Items requested before the transfer is accepted follow the same choice.",
                open_items_count,
            ) % {"n": open_items_count, "total": open_items_total}
        else:
            choice.help_text = _(
                "The case has no open assistance items on your funds now. Any requested before "
                "the transfer is accepted follow this choice; with none chosen they stay yours."
            )


class TransferAcceptForm(forms.Form):
    assign_to = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), to_field_name="uuid"
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assign_to"].queryset = staff_of(organisation)  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

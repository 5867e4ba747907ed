"""Input shape for the people pages; the rules themselves live in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.accounts.models import Organisation
from salama.core.countries import country_choices
from salama.core.languages import language_choices
from salama.core.pickers import country_picker, language_picker
from salama.people.choices import (
    BirthDateAccuracy,
    ConsentMethod,
    ConsentPurpose,
    ContactKind,
    DocumentType,
    ErasureReason,
    Gender,
    Sex,
)
from salama.people.first_contact import MAX_PLACE_LENGTH, check_first_contact
from salama.people.models import CONSENT_CHECKLIST
from salama.people.services import SERVICE_TYPES

OTHER_NAME_ROWS = 3
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


def apply_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError beside the fields it names, the rest above the form."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = field_map.get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, document or phone number"), max_length=200, required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )


class IdentityForm(forms.Form):
    """The identity fields shared by registration and editing."""

    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    other_name_1 = forms.CharField(
        label=_("Other name or spelling"),
        max_length=200,
        required=False,
        help_text=_("Aliases and spellings in any script, e.g. the name in Arabic or Tigrinya."),
    )
    other_name_2 = forms.CharField(
        label=_("Other name or spelling"), max_length=200, required=False
    )
    other_name_3 = forms.CharField(
        label=_("Other name or spelling"), max_length=200, required=False
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_WIDGET)
    estimated_age = forms.IntegerField(
        label=_("Estimated age (years)"),
        required=False,
        help_text=_("When the date of birth is not known."),
    )
    birth_date_accuracy = forms.ChoiceField(
        label=_("Accuracy of the birth date"),
        choices=_blank(BirthDateAccuracy.choices),
        required=False,
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    gender = forms.ChoiceField(label=_("Gender"), choices=_blank(Gender.choices), required=False)
    nationalities = forms.MultipleChoiceField(
        label=_("Nationalities"),
        choices=country_choices,
        required=False,
        widget=country_picker(),
        help_text=_("Type a few letters of the country, in any language, and press Enter."),
    )
    citizenships = forms.MultipleChoiceField(
        label=_("Citizenships"), choices=country_choices, required=False, widget=country_picker()
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=language_choices,
        required=False,
        widget=language_picker(),
        help_text=_("The languages the person speaks: type a few letters of the name."),
    )
    place_of_birth = forms.CharField(label=_("Place of birth"), max_length=200, required=False)
    first_contact_on = forms.DateField(
        label=_("Date of first contact"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The day your organisation first met the person; not in the future."),
    )
    first_contact_place = forms.CharField(
        label=_("Place of first contact"),
        max_length=MAX_PLACE_LENGTH,
        required=False,
        help_text=_("For example the border post, the town or the shelter."),
    )

    FIELDSETS: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (_("Names"), ("given_name", "family_name", "other_name_1", "other_name_2", "other_name_3")),
        (
            _("Birth, sex and gender"),
            (
                "date_of_birth",
                "estimated_age",
                "birth_date_accuracy",
                "place_of_birth",
                "sex",
                "gender",
            ),
        ),
        (_("Nationality and languages"), ("nationalities", "citizenships", "languages")),
        (_("First contact"), ("first_contact_on", "first_contact_place")),
    )

    def clean_first_contact_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("first_contact_on")
        try:
            check_first_contact(day, "", timezone.localdate())
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["first_contact_on"]) from exc
        return day

    def set_autofocus(self) -> None:
        """Focus the first field with an error, else the first field of the form."""
        names = [n for n in self.fields if not self.fields[n].widget.is_hidden]
        wrong = [n for n in names if n in self.errors]
        target = (wrong or names)[0]
        self.fields[target].widget.attrs["autofocus"] = True

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def other_names(self) -> list[dict[str, str]]:
        return [
            {"name": self.cleaned_data[f"other_name_{i}"]}
            for i in range(1, OTHER_NAME_ROWS + 1)
            if self.cleaned_data.get(f"other_name_{i}")
        ]

    def identity(self) -> dict[str, Any]:
        """The cleaned identity as keyword arguments of the people services."""
        data = self.cleaned_data
        return {
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "other_names": self.other_names(),
            "date_of_birth": data["date_of_birth"],
            "estimated_age": data["estimated_age"],
            "birth_date_accuracy": data["birth_date_accuracy"],
            "place_of_birth": data["place_of_birth"],
            "sex": data["sex"],
            "gender": data["gender"],
            "nationalities": data["nationalities"],
            "citizenships": data["citizenships"],
            "languages": data["languages"],
            "first_contact_on": data["first_contact_on"],
            "first_contact_place": data["first_contact_place"],
        }

    @staticmethod
    def initial_for(person: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "birth_date_accuracy": person.birth_date_accuracy,
            "place_of_birth": person.place_of_birth,
            "sex": person.sex,
            "gender": person.gender,
            "nationalities": person.nationalities,
            "citizenships": person.citizenships,
            "languages": person.languages,
            "first_contact_on": person.first_contact_on,
            "first_contact_place": person.first_contact_place,
            "version": person.version,
        }
        if person.date_of_birth is None and person.age_at_registration is not None:
            initial["estimated_age"] = person.age_at_registration
        for i, item in enumerate((person.other_names or [])[:OTHER_NAME_ROWS], start=1):
            initial[f"other_name_{i}"] = item.get("name", "")
        return initial


class RegisterForm(IdentityForm):
    document_type = forms.ChoiceField(
        label=_("Identity document"), choices=_blank(DocumentType.choices), required=False
    )
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    document_issuing_country = forms.ChoiceField(
        label=_("Issuing country"), choices=lambda: _blank(country_choices()), required=False
    )
    document_expiry = forms.DateField(label=_("Expiry date"), required=False, widget=DATE_WIDGET)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    none_of_these = forms.BooleanField(
        label=_("None of these is the person: register a new person"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Most people are registered at the first contact itself.
        self.fields["first_contact_on"].initial = timezone.localdate

    FIELDSETS = (
        *IdentityForm.FIELDSETS,
        (
            _("Identity document and phone"),
            (
                "document_type",
                "document_number",
                "document_issuing_country",
                "document_expiry",
                "phone",
            ),
        ),
    )

    # Where a service error about a document or contact belongs on this form.
    SERVICE_FIELDS = {
        "doc_type": "document_type",
        "number": "document_number",
        "issuing_country": "document_issuing_country",
        "value": "phone",
        "kind": "phone",
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("document_number") and not data.get("document_type"):
            self.add_error("document_type", _("Choose the type of the document."))
        if data.get("document_type") and not data.get("document_number"):
            self.add_error("document_number", _("Enter the document number."))
        return data

    def document_numbers(self) -> list[str]:
        number = self.cleaned_data.get("document_number") or ""
        return [number] if number else []


class EditPersonForm(IdentityForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    number = forms.CharField(label=_("Number"), max_length=64)
    issuing_country = forms.ChoiceField(
        label=_("Issuing country"), choices=lambda: _blank(country_choices()), required=False
    )
    expiry = forms.DateField(label=_("Expiry date"), required=False, widget=DATE_WIDGET)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ContactKind.choices, initial=ContactKind.PHONE
    )
    value = forms.CharField(label=_("Phone, email or address"), max_length=500)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_(
            "JPEG or PNG, at most 5 MB. It is stored without its location and other hidden data."
        ),
        allow_empty_file=False,
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    method = forms.ChoiceField(label=_("How consent was given"), choices=ConsentMethod.choices)
    given_on = forms.DateField(label=_("Date given"), widget=DATE_WIDGET, initial=dt.date.today)
    expires_on = forms.DateField(label=_("Expires"), required=False, widget=DATE_WIDGET)
    recipient = forms.ModelChoiceField(
        label=_("Recipient organisation"),
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        to_field_name="uuid",
        required=False,
        help_text=_("For a referral: the organisation the person agreed to be referred to."),
    )
    service_type = forms.ChoiceField(
        label=_("Service type"), choices=_blank(SERVICE_TYPES), required=False
    )
    guardian_name = forms.CharField(
        label=_("Guardian's name"),
        max_length=200,
        required=False,
        help_text=_("Needed when a child gives assent."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in CONSENT_CHECKLIST:
            self.fields[key] = forms.BooleanField(label=label, required=False)

    def checklist(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data.get(key)) for key, _label in CONSENT_CHECKLIST}


class WithdrawConsentForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), max_length=1000, required=False, widget=forms.Textarea
    )


class EraseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for erasure"),
        choices=ErasureReason.choices,
        help_text=_("The reason is kept in the audit trail; erasure cannot be undone."),
    )

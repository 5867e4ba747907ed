"""Forms of the bulk import: the upload, and the mapping of each column to a field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.cases.choices import CaseType
from salama.integrations.importing import TARGETS


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        help_text=_(
            "The first row names the columns. Kobo exports (XLSX or CSV, with group names) work as they are."
        ),
    )
    default_case_type = forms.ChoiceField(
        label=_("Case type when the file has none"),
        choices=CaseType.choices,
        initial=CaseType.VULNERABLE_MIGRANT,
    )


class MappingForm(forms.Form):
    default_case_type = forms.ChoiceField(
        label=_("Case type when the file has none"), choices=CaseType.choices
    )
    block_duplicates = forms.BooleanField(
        label=_("Refuse rows that look like someone already registered"), required=False
    )

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("— ignore this column —")), *TARGETS.items()]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False
            )

    def mapping(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"col_{i}", "") for i, h in enumerate(self.headers)}

    @staticmethod
    def initial_for(job: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            f"col_{i}": job.mapping.get(h, "") for i, h in enumerate(job.headers)
        }
        initial["default_case_type"] = job.default_case_type
        initial["block_duplicates"] = job.block_duplicates
        return initial

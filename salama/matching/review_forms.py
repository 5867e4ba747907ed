"""The forms of the review pages: merge (which to keep, why), not the same person."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.matching.merge_models import MergeReason, NotDuplicateReason
from salama.matching.review_services import MAX_NOTE_LENGTH


class MergeForm(forms.Form):
    keep = forms.ChoiceField(label=_("Keep this record"), widget=forms.RadioSelect)
    reason_code = forms.ChoiceField(
        label=_("Why they are the same person"), choices=MergeReason.choices
    )
    note = forms.CharField(
        label=_("Note (optional unless the reason is “Other”)"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["keep"].choices = choices


class NotDuplicateForm(forms.Form):
    reason_code = forms.ChoiceField(
        label=_("Why they are different persons"), choices=NotDuplicateReason.choices
    )

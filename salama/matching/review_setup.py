"""What the review half of matching registers when the app is ready: access rules, audit words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from salama.core import auditwords, events


def ready() -> None:
    from salama.matching import access
    from salama.matching.merge_models import MergeReason, NotDuplicateReason

    access.register_rules()
    from salama.matching import review_home

    review_home.register_panels()
    auditwords.ACTION_WORDS.update(
        {
            "person.merge": gettext_lazy("Persons merged"),
            "person.merge_undo": gettext_lazy("Merge undone"),
            "matching.not_duplicate": gettext_lazy("Marked as not the same person"),
            "matching.disclose": gettext_lazy("Agreed to disclose a possible match"),
        }
    )
    for name, description in (
        ("person.merged", gettext_lazy("A person was merged into another")),
        ("person.merge_undone", gettext_lazy("A merge of two persons was undone")),
    ):
        events.declare(name, description)  # type: ignore[arg-type]  # lazy: translated where shown
    auditwords.register_values("merge_reason", MergeReason.choices)
    auditwords.register_values("not_duplicate_reason", NotDuplicateReason.choices)

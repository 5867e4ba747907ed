"""Screening answers from a field form: mapped questions answer a screening's indicators.

A form manager may map one question to the form of exploitation (``labour`` or ``sexual``, the
choice names) and questions to indicators of the ILO/EC 2009 lists (``screening:<code>``).
Accepting a submission into a case then starts a draft screening on that case through
``screening.services.start_screening`` (which chooses the table from the person's age and the
form of exploitation) and answers each mapped indicator of that table through
``answer_indicator`` (source: interview). An indicator the chosen table does not hold (a child
list's indicator for an adult) is not answered; its answer stays in the case note, like every
answer. The screening stays a draft: a caseworker reviews and finalises it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core.policy import Principal
from salama.screening.choices import AnswerSource, AnswerValue, Exploitation

EXPLOITATION = "screening_exploitation"
PREFIX = "screening:"
TABLES = (
    "ilo-2009-adult-labour",
    "ilo-2009-adult-sexual",
    "ilo-2009-child-labour",
    "ilo-2009-child-sexual",
)
WORDS = {
    "yes": AnswerValue.PRESENT,
    "y": AnswerValue.PRESENT,
    "true": AnswerValue.PRESENT,
    "1": AnswerValue.PRESENT,
    "oui": AnswerValue.PRESENT,
    "si": AnswerValue.PRESENT,
    "sí": AnswerValue.PRESENT,
    "نعم": AnswerValue.PRESENT,
    "no": AnswerValue.ABSENT,
    "n": AnswerValue.ABSENT,
    "false": AnswerValue.ABSENT,
    "0": AnswerValue.ABSENT,
    "non": AnswerValue.ABSENT,
    "لا": AnswerValue.ABSENT,
    "dont_know": AnswerValue.UNKNOWN,
    "dk": AnswerValue.UNKNOWN,
}


@lru_cache(maxsize=1)
def _indicators() -> dict[str, str]:
    from salama.screening.lifecycle import data_dir
    from salama.screening.rules import load_table

    found: dict[str, str] = {}
    for name in TABLES:
        for indicator in load_table(name, data_dir=data_dir()).indicators:
            found.setdefault(indicator.code, indicator.label)
    return found


def targets() -> dict[str, Any]:
    """The screening fields a question can fill, with their labels."""
    out: dict[str, Any] = {EXPLOITATION: gettext_lazy("Screening: form of exploitation")}
    for code, label in _indicators().items():
        out[PREFIX + code] = f"{_('Screening indicator')}: {label} ({code})"
    return out


def answer_value(value: str) -> str | None:
    word = value.strip().lower()
    if word in AnswerValue.values:
        return word
    return WORDS.get(word)


def plan_screening(
    answers: dict[str, str], mapping: dict[str, str], problems: list[str]
) -> tuple[str, dict[str, str]]:
    """(form of exploitation, {indicator: answer value}) that accepting would record."""
    exploitation = ""
    values: dict[str, str] = {}
    known = _indicators()
    for target, question in mapping.items():
        value = answers.get(question, "").strip() if question else ""
        if not value:
            continue
        if target == EXPLOITATION:
            if value in Exploitation.values:
                exploitation = value
            else:
                problems.append(
                    _("Screening: “%(value)s” is not one of %(codes)s.")
                    % {"value": value, "codes": ", ".join(Exploitation.values)}
                )
        elif target.startswith(PREFIX) and target[len(PREFIX) :] in known:
            answer = answer_value(value)
            if answer is None:
                problems.append(
                    _("Screening indicator %(code)s: “%(value)s” is not yes, no or unknown.")
                    % {"code": target[len(PREFIX) :], "value": value}
                )
            else:
                values[target[len(PREFIX) :]] = answer
    if values and not exploitation:
        problems.append(
            _("Screening answers need the form of exploitation: map the question that says it.")
        )
    return exploitation, values


def record_screening(
    actor: Principal,
    *,
    case: Any,
    exploitation: str,
    values: dict[str, str],
    request: HttpRequest | None = None,
) -> Any:
    """Start a draft screening on ``case`` and answer the mapped indicators its table holds.

    Not a service of its own: ``accept_submission`` calls it in its transaction, and the
    screening services it calls check ``actor`` against the case."""
    from salama.screening import services as screening

    if case is None:
        raise ValidationError(
            _("Screening answers need a case: open one or choose an existing case.")
        )
    draft = screening.start_screening(
        actor=actor, case=case, exploitation=exploitation, request=request
    )
    codes = screening.table_for(draft).indicator_codes
    for code, value in values.items():
        if code in codes:
            screening.answer_indicator(
                actor=actor,
                screening=draft,
                indicator=code,
                value=value,
                source=AnswerSource.INTERVIEW,
                request=request,
            )
    return draft

"""From a submission's answers to Salama records: the mapping a form manager edits per version.

A mapping names, for each Salama field, the question whose answer fills it (screening answers
too: ``screening_mapping``). Accepting a submission
turns the mapped answers into the arguments of the ordinary services (register_person, open_case,
record_consent, add_note); ``plan`` shows what that would be, for the preview and the review page,
without writing anything. Answers that are not mapped are kept in the case note the acceptance
writes, so nothing the interviewer recorded is lost.

Choice answers must use Salama's codes as their choice names (sex: female, male, intersex,
unknown; countries: ISO 3166 alpha-2 such as SY; languages: ISO 639 such as ar; case type:
trafficking, vulnerable_migrant, ...); the preview flags any other value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.cases.choices import CaseType
from salama.core.countries import COUNTRIES
from salama.core.languages import LANGUAGES
from salama.fieldforms import screening_mapping
from salama.people.choices import Sex
from salama.screening.choices import AnswerValue, Exploitation

# Salama field -> (label, what it fills).
SALAMA_FIELDS: dict[str, Any] = {
    "given_name": gettext_lazy("Given name"),
    "family_name": gettext_lazy("Family name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "estimated_age": gettext_lazy("Estimated age (years)"),
    "sex": gettext_lazy("Sex"),
    "nationality": gettext_lazy("Nationality (country code)"),
    "languages": gettext_lazy("Languages (codes, space-separated)"),
    "first_contact_on": gettext_lazy("Date of first contact"),
    "first_contact_place": gettext_lazy("Place of first contact"),
    "phone": gettext_lazy("Phone number"),
    "case_type": gettext_lazy("Case type"),
    "case_summary": gettext_lazy("Case summary"),
    "consent_assistance": gettext_lazy("Consent to assistance given (yes/no)"),
}
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "estimated_age",
    "sex",
    "nationality",
    "languages",
    "first_contact_on",
    "first_contact_place",
    "phone",
)
YES = {"yes", "true", "1", "y", "oui", "si", "sí", "نعم"}


def parse_answers(xml: bytes | str) -> dict[str, str]:
    """Leaf answers of a submission by question name (the meta block left out)."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise ValidationError(
            _("The submission is not well-formed XML (%(e)s).") % {"e": exc}
        ) from None
    answers: dict[str, str] = {}

    def walk(node: Any) -> None:
        for child in node:
            name = child.tag.split("}")[-1]
            if name == "meta":
                continue
            if len(child):
                walk(child)
            else:
                answers[name] = (child.text or "").strip()

    walk(root)
    return answers


def instance_meta(xml: bytes | str) -> tuple[str, str, str]:
    """(form id, version, instanceID) of a submission's XML."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return "", "", ""
    instance_id = ""
    for node in root.iter():
        if node.tag.split("}")[-1] == "instanceID":
            instance_id = (node.text or "").strip()
            break
    return root.get("id", "") or "", root.get("version", "") or "", instance_id


@dataclass
class Plan:
    person: dict[str, Any] = field(default_factory=dict)
    phone: str = ""
    case_type: str = ""
    case_summary: str = ""
    consent_assistance: bool = False
    screening_exploitation: str = ""
    screening_answers: dict[str, str] = field(default_factory=dict)  # indicator -> value
    unmapped: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str]]:
        """(Salama field label, value) pairs for display."""
        names = {"nationalities": "nationality"}
        out = [
            (str(SALAMA_FIELDS[names.get(k, k)]), _display(k, v))
            for k, v in self.person.items()
            if v not in ("", None, [])
        ]
        if self.phone:
            out.append((str(SALAMA_FIELDS["phone"]), self.phone))
        if self.case_type:
            out.append((str(SALAMA_FIELDS["case_type"]), str(CaseType(self.case_type).label)))
        if self.case_summary:
            out.append((str(SALAMA_FIELDS["case_summary"]), self.case_summary))
        if self.consent_assistance:
            out.append((str(SALAMA_FIELDS["consent_assistance"]), _("yes")))
        if self.screening_exploitation:
            fields = screening_mapping.targets()
            out.append(
                (
                    str(fields[screening_mapping.EXPLOITATION]),
                    str(Exploitation(self.screening_exploitation).label),
                )
            )
            for code, value in self.screening_answers.items():
                label = str(fields.get(screening_mapping.PREFIX + code, code))
                out.append((label, str(AnswerValue(value).label)))
        return out


def _display(key: str, value: Any) -> str:
    """A planned value as a reader sees it: names of codes, not the codes."""
    if key == "sex":
        return str(Sex(value).label)
    if key == "nationalities":
        return ", ".join(str(COUNTRIES.get(c, c)) for c in value)
    if key == "languages":
        return ", ".join(str(LANGUAGES.get(c, c)) for c in value)
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _date(value: str, label: str, problems: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        problems.append(
            _("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).")
            % {"field": label, "value": value}
        )
        return None


def plan(answers: dict[str, str], mapping: dict[str, str]) -> Plan:
    """What accepting a submission with these answers would create; writes nothing."""
    result = Plan()
    used = set()
    for salama_field, question in mapping.items():
        if salama_field not in SALAMA_FIELDS or not question:
            continue
        used.add(question)
        value = answers.get(question, "").strip()
        if not value:
            continue
        label = str(SALAMA_FIELDS[salama_field])
        if salama_field in ("given_name", "family_name", "first_contact_place"):
            result.person[salama_field] = value
        elif salama_field in ("date_of_birth", "first_contact_on"):
            day = _date(value, label, result.problems)
            if day:
                result.person[salama_field] = day
        elif salama_field == "estimated_age":
            try:
                result.person["estimated_age"] = int(float(value))
            except ValueError:
                result.problems.append(
                    _("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": value}
                )
        elif salama_field == "sex":
            if value in Sex.values:
                result.person["sex"] = value
            else:
                result.problems.append(
                    _(
                        "%(field)s: “%(value)s” is not one of %(codes)s; rename the choice in the form."
                    )
                    % {"field": label, "value": value, "codes": ", ".join(Sex.values)}
                )
        elif salama_field == "nationality":
            codes = [c.upper() for c in value.split()]
            bad = [c for c in codes if c not in COUNTRIES]
            if bad:
                result.problems.append(
                    _("%(field)s: unknown country code(s) %(codes)s.")
                    % {"field": label, "codes": ", ".join(bad)}
                )
            result.person["nationalities"] = [c for c in codes if c in COUNTRIES]
        elif salama_field == "languages":
            codes = [c.lower() for c in value.split()]
            bad = [c for c in codes if c not in LANGUAGES]
            if bad:
                result.problems.append(
                    _("%(field)s: unknown language code(s) %(codes)s.")
                    % {"field": label, "codes": ", ".join(bad)}
                )
            result.person["languages"] = [c for c in codes if c in LANGUAGES]
        elif salama_field == "phone":
            result.phone = value
        elif salama_field == "case_type":
            if value in CaseType.values:
                result.case_type = value
            else:
                result.problems.append(
                    _("%(field)s: “%(value)s” is not one of %(codes)s.")
                    % {"field": label, "value": value, "codes": ", ".join(CaseType.values)}
                )
        elif salama_field == "case_summary":
            result.case_summary = value
        elif salama_field == "consent_assistance":
            result.consent_assistance = value.lower() in YES
    screening_fields = {k: v for k, v in mapping.items() if k in screening_mapping.targets()}
    used |= set(screening_fields.values())
    result.screening_exploitation, result.screening_answers = screening_mapping.plan_screening(
        answers, screening_fields, result.problems
    )
    result.unmapped = {k: v for k, v in answers.items() if k not in used and v}
    if not result.person.get("given_name") and not result.person.get("family_name"):
        result.problems.append(
            _("No name is mapped or answered: a new person needs a given or family name.")
        )
    return result


def all_targets() -> dict[str, Any]:
    """Every field a question can fill: the person, case and consent, then screening answers."""
    return {**SALAMA_FIELDS, **screening_mapping.targets()}


def check_mapping(mapping: dict[str, str], question_names: list[str]) -> dict[str, str]:
    """A mapping cleaned of empty entries; ValidationError naming each unknown field or question."""
    cleaned = {k: v.strip() for k, v in mapping.items() if v and v.strip()}
    errors = {}
    for salama_field, question in cleaned.items():
        if salama_field not in all_targets():
            errors[salama_field] = _("“%(field)s” is not a Salama field that a form can fill.") % {
                "field": salama_field
            }
        elif question not in question_names:
            errors[salama_field] = _("The form has no question named “%(name)s”.") % {
                "name": question
            }
    if errors:
        raise ValidationError(errors)
    return cleaned


def example_answers(questions: list[dict[str, Any]]) -> dict[str, str]:
    """Made-up answers by question type, for previewing a mapping without real data."""
    examples = {
        "date": "2026-11-30",
        "integer": "27",
        "decimal": "27",
        "select one": "",
        "select all that apply": "",
    }
    answers = {}
    for question in questions:
        kind = question.get("type", "")
        value = examples.get(kind, f"‹{question['name']}›")
        if kind.startswith("select") and question.get("choices"):
            value = question["choices"][0]
        if kind in ("photo", "image", "audio", "video", "file"):
            value = f"{question['name']}.jpg"
        answers[question["name"]] = value
    return answers

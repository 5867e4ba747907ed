"""Plain-language explanations of a stored screening result, in the user's language.

``rules`` explains itself with codes and parameters (``explanation_parts``); this module turns
each code into a translated sentence, and shapes the stored result for the result panel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.screening import labels, rules

RATING_NAMES = {
    "S": gettext_lazy("strong"),
    "M": gettext_lazy("medium"),
    "W": gettext_lazy("weak"),
}
CLAUSE_NAMES = {
    "recruitment": gettext_lazy(
        "recruitment (an act, or deceptive, coercive or abusive recruitment)"
    ),
    "exploitation": gettext_lazy("exploitative conditions"),
    "coercion_at_destination": gettext_lazy("coercion or abuse of vulnerability at destination"),
}


def dimension_title(code: str, table: rules.IndicatorTable | None = None) -> str:
    if code in labels.DIMENSION_TITLES:
        return str(labels.DIMENSION_TITLES[code])
    return table.dimension(code).title if table is not None else code


def indicator_label(code: str, table: rules.IndicatorTable | None = None) -> str:
    if code in labels.INDICATOR_LABELS:
        return str(labels.INDICATOR_LABELS[code])
    return table.indicator(code).label if table is not None else code


def _indicators(codes: Iterable[str], table: rules.IndicatorTable | None) -> str:
    return "; ".join(f"“{indicator_label(code, table)}”" for code in codes)


def _threshold(code: str | None) -> str:
    # "1S+1M" → "1 strong + 1 medium"
    if not code:
        return ""
    parts = []
    for term in code.split("+"):
        count, rating = term[:-1], term[-1]
        parts.append(f"{count} {RATING_NAMES.get(rating, rating)}")
    return " + ".join(parts)


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{counts.get(r, 0)} {RATING_NAMES[r]}" for r in rules.RATINGS)


def _term(term: str) -> str:
    if term == rules.ACT_RECORDED:
        return _("a recorded act of recruitment, transport, transfer, harbouring or receipt")
    return f"{term} ({dimension_title(term)})"


def _terms(terms: Iterable[str]) -> str:
    return _(" or ").join(_term(t) for t in terms)


def sentence(
    code: str, params: Mapping[str, Any], table: rules.IndicatorTable | None = None
) -> str:
    """One translated sentence for one explanation part."""
    p = params
    if code == "table":
        text = _("Screened with the indicator list “%(table)s”, version %(version)s.") % {
            "table": table.title if table is not None else p["table"],
            "version": p["version"],
        }
        if p.get("provisional"):
            text += " " + _(
                "This list is provisional: it was derived from the labour list and is not yet "
                "checked against the ILO sexual-exploitation note."
            )
        return text
    if code == "dimension_positive":
        return _("%(dim)s (%(title)s) is positive: %(indicators)s reach %(threshold)s.") % {
            "dim": p["dimension"],
            "title": dimension_title(p["dimension"], table),
            "indicators": _indicators(p["indicators"], table),
            "threshold": _threshold(p["threshold"]),
        }
    if code == "dimension_not_positive":
        values = {"dim": p["dimension"], "title": dimension_title(p["dimension"], table)}
        if p["reason"] == "no_present_indicators":
            return _("%(dim)s (%(title)s): no indicator is present.") % values
        if p["reason"] == "weak_only":
            return (
                _(
                    "%(dim)s (%(title)s) is not positive: only weak indicators are present, and "
                    "weak indicators alone never make a dimension positive."
                )
                % values
            )
        return _(
            "%(dim)s (%(title)s) is not positive: the indicators present (%(counts)s) reach no "
            "threshold."
        ) % {**values, "counts": _counts(p["counts"])}
    if code == "act_recorded":
        if p["value"]:
            return _(
                "An act of recruitment, transport, transfer, harbouring or receipt is recorded."
            )
        return _("No act of recruitment, transport, transfer, harbouring or receipt is recorded.")
    if code == "act_recorded_not_used":
        return _(
            "A recorded act does not count on its own under the adult rule, which also needs "
            "the means (D5 or D6)."
        )
    if code == "combination":
        if p["type"] == "child":
            rule = _("For a child, the means are not required: (an act, or D1, D2 or D3) and D4.")
        else:
            rule = _("For an adult: (D1 or D2 or D3) and D4 and (D5 or D6).")
        return rule
    if code == "clause_met":
        return _("The condition on %(clause)s holds through %(terms)s.") % {
            "clause": CLAUSE_NAMES.get(p["clause"], p["clause"]),
            "terms": _terms(p["terms"]),
        }
    if code == "clause_not_met":
        return _("The condition on %(clause)s does not hold: none of %(terms)s.") % {
            "clause": CLAUSE_NAMES.get(p["clause"], p["clause"]),
            "terms": _terms(p["terms"]),
        }
    if code == "strong_indicators_present":
        return _("Strong indicators present: %(indicators)s.") % {
            "indicators": _indicators(p["indicators"], table)
        }
    if code == "outcome":
        return outcome_sentence(p["outcome"])
    return code


def outcome_sentence(outcome: str) -> str:
    if outcome == rules.Outcome.MEETS_PROFILE:
        return _(
            "This screening meets the trafficking profile: the person is a possible victim of "
            "trafficking and should be referred for formal identification."
        )
    if outcome == rules.Outcome.INDICATORS_PRESENT:
        return _("Indicators present: further assessment is recommended.")
    return _("No indicators found.")


def explain(result: Mapping[str, Any], table: rules.IndicatorTable | None = None) -> list[str]:
    """Translated sentences for a stored result (``ScreeningResult.as_dict()``)."""
    return [sentence(p["code"], p["params"], table) for p in result.get("explanation", [])]


def result_panel(result: Mapping[str, Any], table: rules.IndicatorTable | None) -> dict[str, Any]:
    """The stored result shaped for the template: dimensions, clauses, outcome, sentences."""
    dimensions = [
        {
            "code": d["dimension"],
            "title": dimension_title(d["dimension"], table),
            "positive": d["positive"],
            "threshold": _threshold(d["threshold"]),
            "decisive": [indicator_label(c, table) for c in d["decisive"]],
            "present": [indicator_label(c, table) for c in d["present"]],
            "counts": _counts(d["counts"]),
        }
        for d in result.get("dimensions", [])
    ]
    clauses = [
        {
            "name": CLAUSE_NAMES.get(c["clause"], c["clause"]),
            "met": c["met"],
            "terms": _terms(c["fired_terms"]) if c["fired_terms"] else "",
        }
        for c in result.get("combination", {}).get("clauses", [])
    ]
    outcome = result.get("outcome", rules.Outcome.NO_INDICATORS.value)
    return {
        "dimensions": dimensions,
        "clauses": clauses,
        "outcome": outcome,
        "outcome_sentence": outcome_sentence(outcome),
        "sentences": explain(result, table),
        "table": result.get("table", ""),
        "version": result.get("version", ""),
        "provisional": result.get("provisional", False),
    }


__all__ = ["explain", "result_panel", "sentence"]

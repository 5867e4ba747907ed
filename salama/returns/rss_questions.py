"""The words of the Reintegration Sustainability Survey questionnaire, in the reader's language.

The weight table (``data/rss_weights.v<N>.json``, read by ``scoring``) holds the structure: which
questions, their indicator and dimension, their answers and scores. This module holds what the
caseworker reads and asks: a label per dimension, indicator, question and answer code, marked for
translation. A code without a label here is shown as a neutral placeholder, never as a raw code.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.returns import scoring

DIMENSIONS: dict[str, Any] = {
    "economic": _("Economic"),
    "social": _("Social"),
    "psychosocial": _("Psychosocial"),
    "composite": _("Composite"),
}

INDICATORS: dict[str, Any] = {
    "income_and_employment": _("Income and employment"),
    "food_security": _("Food security"),
    "debt_and_credit": _("Debt and access to credit"),
    "economic_satisfaction": _("Satisfaction with the economic situation"),
    "housing": _("Access to housing"),
    "education": _("Access to education"),
    "justice": _("Access to justice"),
    "documentation": _("Documentation"),
    "health": _("Access to health care"),
    "drinking_water": _("Safe drinking water"),
    "belonging": _("Sense of belonging"),
    "participation": _("Participation in community activities"),
    "physical_safety": _("Feeling of physical safety"),
    "distress": _("Signs of distress"),
    "migration_intention": _("Desire to migrate again"),
}

QUESTIONS: dict[str, Any] = {
    "income_main_source": _("What is your main source of income?"),
    "income_number_of_sources": _("How many sources of income does your household have?"),
    "employment_status": _("Are you working at the moment?"),
    "employment_reliable": _("Is your work regular enough to rely on?"),
    "employment_training_access": _(
        "Can you get job training or help to find work if you need it?"
    ),
    "food_reduced_meals": _(
        "In the last month, how often did your household eat less because there was not enough food?"
    ),
    "food_meals_per_day": _("How many meals do the adults of your household eat on most days?"),
    "debt_to_spending": _("How does your debt compare with what your household spends in a month?"),
    "credit_can_borrow": _("Could you borrow money if you needed it?"),
    "economic_satisfaction": _("How satisfied are you with your economic situation?"),
    "housing_situation": _("Where do you live now?"),
    "housing_quality": _("How good is the place you live in?"),
    "education_children_in_school": _("Do the school-age children of your household go to school?"),
    "education_access": _("Can you or your children get education or training when you need it?"),
    "justice_access": _("If you had a problem, could you go to the police or the courts?"),
    "documentation_identity": _("Do you have an identity document?"),
    "documentation_children": _("Do your children have birth certificates or identity documents?"),
    "health_access": _("Can you get health care when you need it?"),
    "health_quality": _("How good is the health care you can get?"),
    "water_safe_access": _("Does your household have safe drinking water?"),
    "belonging_feel_part": _("Do you feel you belong to the community where you live?"),
    "belonging_support_network": _("Are there people here you can rely on for help?"),
    "participation_activities": _(
        "Do you take part in community activities (meetings, celebrations, groups)?"
    ),
    "safety_feel_safe": _("Do you feel physically safe where you live?"),
    "safety_discrimination": _(
        "Since your return, how often have you been treated badly because you migrated?"
    ),
    "distress_frequency": _(
        "In the last month, how often have you felt very sad, anxious or angry?"
    ),
    "distress_support": _("Do you get psychological support if you need it?"),
    "distress_daily_life": _(
        "How often do these feelings stop you from doing your daily activities?"
    ),
    "migrate_feel_need": _("Do you feel you need to leave your country again?"),
    "migrate_plans": _("Are you making plans to leave?"),
}

ANSWERS: dict[str, Any] = {
    "regular_job": _("A regular job"),
    "self_employed": _("Own business or self-employed"),
    "occasional_work": _("Occasional work"),
    "family_support": _("Support from family or remittances"),
    "no_income": _("No income"),
    "several": _("Two or more"),
    "one": _("One"),
    "none": _("None"),
    "working": _("Working"),
    "looking": _("Looking for work"),
    "not_working": _("Not working and not looking"),
    "yes": _("Yes"),
    "no": _("No"),
    "partly": _("Partly"),
    "with_difficulty": _("Yes, with difficulty"),
    "not_applicable": _("Does not apply"),
    "never": _("Never"),
    "sometimes": _("Sometimes"),
    "often": _("Often"),
    "always": _("Always"),
    "mostly": _("Mostly"),
    "rarely": _("Rarely"),
    "three_or_more": _("Three or more"),
    "two": _("Two"),
    "one_or_fewer": _("One or fewer"),
    "no_debt": _("No debt"),
    "less_than_spending": _("Less than a month's spending"),
    "more_than_spending": _("More than a month's spending"),
    "very_satisfied": _("Very satisfied"),
    "satisfied": _("Satisfied"),
    "neutral": _("Neither satisfied nor dissatisfied"),
    "dissatisfied": _("Dissatisfied"),
    "very_dissatisfied": _("Very dissatisfied"),
    "own_or_rented": _("Own or rented home"),
    "with_family": _("With family or friends"),
    "temporary": _("Temporary shelter"),
    "good": _("Good"),
    "acceptable": _("Acceptable"),
    "poor": _("Poor"),
    "all": _("All"),
    "some": _("Some"),
    "in_progress": _("Being issued"),
    "strongly_agree": _("Strongly agree"),
    "agree": _("Agree"),
    "disagree": _("Disagree"),
    "strongly_disagree": _("Strongly disagree"),
    "not_needed": _("Not needed"),
    "receiving": _("Yes, I receive it"),
    "needed_no_access": _("I need it but cannot get it"),
    "undecided": _("Not sure"),
    "no_plans": _("No"),
    "thinking": _("Thinking about it"),
    "preparing": _("Yes, preparing to leave"),
}

UNKNOWN = _("(question not described in this version)")


def label(table: dict[str, Any], code: str) -> Any:
    return table.get(code, UNKNOWN)


def questionnaire(table: scoring.WeightTable) -> list[dict[str, Any]]:
    """The questions of a table version, grouped by dimension then indicator, with their words."""
    shown: list[dict[str, Any]] = []
    for dimension in scoring.DIMENSIONS:
        indicators: list[dict[str, Any]] = []
        for dim, indicator in table.indicators():
            if dim != dimension:
                continue
            indicators.append(
                {
                    "code": indicator,
                    "label": label(INDICATORS, indicator),
                    "questions": [
                        {
                            "code": q.code,
                            "label": label(QUESTIONS, q.code),
                            "answers": [(a, label(ANSWERS, a)) for a in q.answers],
                        }
                        for q in table.of_dimension(dimension)
                        if q.indicator == indicator
                    ],
                }
            )
        shown.append({"code": dimension, "label": DIMENSIONS[dimension], "indicators": indicators})
    return shown

"""The goal and action of a plan item proposed by a vulnerability assessment, in the reader's language.

A proposed response becomes a case-plan item whose ``generated_key`` is ``domv.response`` and whose
``generated_params`` name the response code and the harm codes it reduces; the text is composed
here each time it is shown, so a French supervisor reads French whatever language the caseworker
who added it used. A response the catalogue adds beyond the built-in labels, or an item stored
before the parameters held its harms, shows the stored text instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from salama.screening import labels
from salama.screening.choices import Harm

KEY = "domv.response"


def harm_label(code: str) -> str:
    try:
        return str(Harm(code).label)
    except ValueError:
        return code


def plan_goal(harm_codes: Iterable[str]) -> str:
    harms = ", ".join(harm_label(h) for h in harm_codes)
    if harms:
        return _("Reduce vulnerability to %(harms)s") % {"harms": harms}
    return _("Reduce vulnerability")


def render_goal(params: Mapping[str, Any]) -> str | None:
    harms = params.get("harms")
    if not isinstance(harms, list):
        return None
    return plan_goal(str(h) for h in harms)


def render_action(params: Mapping[str, Any]) -> str | None:
    code = params.get("response")
    if isinstance(code, str) and code in labels.RESPONSE_LABELS:
        return str(labels.RESPONSE_LABELS[code])
    return None


def params_for(response_code: str, harm_codes: Iterable[str]) -> dict[str, Any]:
    return {"response": response_code, "harms": list(harm_codes)}


def register_plan_texts() -> None:
    from salama.cases.generated import register_plan_text

    register_plan_text(KEY, goal=render_goal, action=render_action)

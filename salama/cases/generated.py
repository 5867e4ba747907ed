"""Plan text the system generates is stored as a key and parameters, and read in the reader's language.

A plan item a caseworker typed is shown as typed. One the system proposed (today: a response of a
vulnerability assessment) also keeps ``generated_key`` and ``generated_params``; the app that
generated it registers a renderer for its key, and the page and the API show what that renderer
says in the language active for the reader. The stored goal and action, in the language of whoever
triggered them, stay as the fallback (a key no renderer knows, or a row from before the keys).
Cases sits below screening, so the renderers arrive through this registry, never an import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# A renderer takes the stored parameters and answers the text in the active language, or None
# when it cannot (the caller then shows the stored text).
Renderer = Callable[[Mapping[str, Any]], "str | None"]

_GOALS: dict[str, Renderer] = {}
_ACTIONS: dict[str, Renderer] = {}


def register_plan_text(key: str, *, goal: Renderer, action: Renderer) -> None:
    _GOALS[key] = goal
    _ACTIONS[key] = action


def _render(table: dict[str, Renderer], key: str, params: Any, stored: str) -> str:
    renderer = table.get(key) if key else None
    if renderer is not None and isinstance(params, Mapping):
        text = renderer(params)
        if text:
            return str(text)
    return str(stored)


def shown_goal(key: str, params: Any, stored: str) -> str:
    return _render(_GOALS, key, params, stored)


def shown_action(key: str, params: Any, stored: str) -> str:
    return _render(_ACTIONS, key, params, stored)

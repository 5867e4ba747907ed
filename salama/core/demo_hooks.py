"""Domain apps add their demo data here, so `demo_data` stays one command with one order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module

# "module:function" entries, run in order; each returns lines to print.
DEMO_HOOKS: list[str] = [
    "salama.people.demo:load_demo_people",
    "salama.cases.demo:load_demo_cases",
    "salama.referrals.demo:load_demo_referrals",
    "salama.assistance.demo:load_demo_assistance",
]


def run_demo_hooks() -> Iterator[str]:
    for entry in DEMO_HOOKS:
        module_name, func_name = entry.split(":")
        func: Callable[[], list[str]] = getattr(import_module(module_name), func_name)
        yield from func()

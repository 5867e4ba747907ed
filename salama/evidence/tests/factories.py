"""Small factories for the evidence tests: cases opened through the services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from conftest import principal
from salama.accounts.models import User
from salama.cases import services as cases
from salama.cases.models import Case
from salama.people.services import register_person


def open_cases(
    user: User, count: int, *, sex: str = "female", age: int = 25, **overrides: Any
) -> list[Case]:
    """`count` trafficking cases of persons of one sex and age, opened by `user`."""
    made = []
    today = timezone.localdate()
    for index in range(count):
        person = register_person(
            actor=principal(user),
            given_name=f"Person {index}",
            sex=sex,
            date_of_birth=today.replace(year=today.year - age, day=1),
        )
        kwargs: dict[str, Any] = {"case_type": "trafficking"}
        kwargs.update(overrides)
        made.append(cases.open_case(actor=principal(user), person=person, **kwargs))
    return made

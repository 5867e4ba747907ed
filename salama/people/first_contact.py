"""First contact: the day and the place an organisation first met a person (e.g. a border post).

The rules shared by the registration and edit services, the forms and the API limits.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_PLACE_LENGTH = 200
# Records older than this are typed wrongly far more often than they are true.
OLDEST_FIRST_CONTACT_YEAR = 1990


def check_first_contact(
    on: dt.date | None, place: str, today: dt.date
) -> tuple[dt.date | None, str]:
    """Validate and return (day, place): the day may not be in the future, the place is short."""
    place = (place or "").strip()
    if on is not None:
        if on > today:
            raise ValidationError(
                {
                    "first_contact_on": _(
                        "The date of first contact is in the future; enter today's date or an "
                        "earlier one (today is %(today)s)."
                    )
                    % {"today": today.isoformat()}
                }
            )
        if on.year < OLDEST_FIRST_CONTACT_YEAR:
            raise ValidationError(
                {
                    "first_contact_on": _(
                        "The date of first contact is before %(year)s; check the year."
                    )
                    % {"year": OLDEST_FIRST_CONTACT_YEAR}
                }
            )
    if len(place) > MAX_PLACE_LENGTH:
        raise ValidationError(
            {
                "first_contact_place": _("A place has at most %(n)s characters.")
                % {"n": MAX_PLACE_LENGTH}
            }
        )
    return on, place

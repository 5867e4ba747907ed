"""One date format per language: day, month name, year, so that no reader takes 03/04 for
4 March or 3 April. Pages use SHORT_DATE_FORMAT and SHORT_DATETIME_FORMAT (``|date:"..."``);
machine-readable dates (``<time datetime>``, exports, the API) stay ISO 8601."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"

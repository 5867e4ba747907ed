"""Errors that services raise and views translate into clear messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """Someone else changed the record since it was loaded (optimistic version check)."""


class ConsentMissing(ValidationError):
    """The purpose needs an active consent that is absent, expired or withdrawn."""

"""Matching: batch duplicate detection (a trained Fellegi–Sunter model), review, merge and undo."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "salama.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from salama.matching import review_setup

        review_setup.ready()
        from salama.matching import run_access

        run_access.register_rules()
        from salama.matching import registration
        from salama.people import duplicate_scoring

        duplicate_scoring.register(registration.rescore)

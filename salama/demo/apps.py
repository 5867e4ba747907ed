from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data and synthetic persons: no models; it may import every domain app."""

    name = "salama.demo"
    label = "demo"
    verbose_name = _("Demo data")

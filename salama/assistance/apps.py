from __future__ import annotations

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "salama.assistance"
    label = "assistance"

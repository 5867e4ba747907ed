from __future__ import annotations

from django.urls import path

from salama.core import health, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit-log"),
    path("healthz", views.healthz, name="healthz"),
    path("health/", health.health, name="health"),
]

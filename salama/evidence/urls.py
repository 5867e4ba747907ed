from __future__ import annotations

from django.urls import path  # noqa: F401

app_name = "evidence"

urlpatterns: list = []
from django.urls import include  # noqa: E402

urlpatterns += [path("", include("salama.evidence.release_urls"))]

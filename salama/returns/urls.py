from __future__ import annotations

from django.urls import path  # noqa: F401

from salama.returns.monitoring_urls import urlpatterns as monitoring_urlpatterns

app_name = "returns"

urlpatterns: list = []
urlpatterns += monitoring_urlpatterns  # reintegration monitoring and the programme view

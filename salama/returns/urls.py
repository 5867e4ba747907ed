from __future__ import annotations

from django.urls import path

from salama.returns import views
from salama.returns.monitoring_urls import urlpatterns as monitoring_urlpatterns

app_name = "returns"

urlpatterns: list = [
    path("", views.journey_list, name="journey-list"),
    path("case/<uuid:case_id>/open/", views.journey_open, name="journey-open"),
    path("<uuid:journey_id>/step/<slug:step>/", views.journey_step, name="journey-step"),
    path("<uuid:journey_id>/handover/", views.journey_handover, name="journey-handover"),
    path("<uuid:journey_id>/reintegration/", views.journey_action, name="journey-action"),
    path("reception/<uuid:referral_id>/", views.reception, name="reception"),
]
urlpatterns += monitoring_urlpatterns  # reintegration monitoring and the programme view

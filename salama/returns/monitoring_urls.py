"""URLs of reintegration monitoring and the programme view (included from returns/urls.py)."""

from __future__ import annotations

from django.urls import path

from salama.returns import monitoring_views, programme_views

urlpatterns = [
    path("programme/", programme_views.programme_view, name="programme"),
    path("programme/settings/", monitoring_views.programme_settings, name="programme-settings"),
    path(
        "monitoring/referrals/<uuid:referral_id>/",
        monitoring_views.reception,
        name="monitoring-reception",
    ),
    path(
        "monitoring/cases/<uuid:case_id>/schedule/",
        monitoring_views.schedule_create,
        name="monitoring-schedule",
    ),
    path(
        "monitoring/visits/<uuid:visit_id>/",
        monitoring_views.visit_record,
        name="monitoring-visit",
    ),
    path(
        "monitoring/visits/<uuid:visit_id>/lost-contact/",
        monitoring_views.visit_lost_contact,
        name="monitoring-lost-contact",
    ),
    path(
        "monitoring/visits/<uuid:visit_id>/cancel/",
        monitoring_views.visit_cancel,
        name="monitoring-cancel",
    ),
]

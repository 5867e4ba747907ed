from __future__ import annotations

from django.urls import path

from salama.tracing import views

app_name = "tracing"

urlpatterns: list = [
    path("", views.request_list, name="request-list"),
    path("case/<uuid:case_id>/new/", views.request_new, name="request-new"),
    path("requests/<uuid:tracing_id>/", views.request_detail, name="request-detail"),
    path("requests/<uuid:tracing_id>/edit/", views.request_edit, name="request-edit"),
    path("requests/<uuid:tracing_id>/close/", views.request_close, name="request-close"),
    path("matches/<uuid:match_id>/", views.match_detail, name="match-detail"),
    path(
        "matches/<uuid:match_id>/confirm/",
        views.match_decide,
        {"decision": "confirm"},
        name="match-confirm",
    ),
    path(
        "matches/<uuid:match_id>/reject/",
        views.match_decide,
        {"decision": "reject"},
        name="match-reject",
    ),
    path("matches/<uuid:match_id>/steps/add/", views.match_step, name="match-step"),
]

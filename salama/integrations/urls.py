from __future__ import annotations

from django.urls import path

from salama.integrations import import_views, views

app_name = "integrations"

urlpatterns = [
    path("", views.integration_list, name="list"),
    path("new/", views.integration_create, name="create"),
    path("<uuid:integration_id>/", views.integration_detail, name="detail"),
    path("<uuid:integration_id>/settings/", views.integration_settings, name="settings"),
    path("<uuid:integration_id>/secret/", views.integration_rotate, name="rotate"),
    path("<uuid:integration_id>/test/", views.integration_test, name="test"),
    path("deliveries/<uuid:delivery_id>/resend/", views.delivery_resend, name="resend"),
    path("imports/", import_views.import_list, name="import-list"),
    path("imports/<uuid:job_id>/", import_views.import_detail, name="import-detail"),
    path("imports/<uuid:job_id>/mapping/", import_views.import_mapping, name="import-mapping"),
    path("imports/<uuid:job_id>/run/", import_views.import_run, name="import-run"),
    path("imports/<uuid:job_id>/progress/", import_views.import_progress, name="import-progress"),
]

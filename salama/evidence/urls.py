from __future__ import annotations

from django.urls import include, path

from salama.evidence import indicator_views, views

app_name = "evidence"

urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("table/", views.table_download, name="table-download"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<uuid:export_id>/status/", views.export_status, name="export-status"),
    path("exports/<uuid:export_id>/download/", views.export_download, name="export-download"),
    path("indicators/", indicator_views.indicators, name="indicators"),
    path("indicators/sdg-16-2-2.csv", indicator_views.indicators_csv, name="indicators-csv"),
    path("indicators/population/", indicator_views.population_upload, name="population"),
    # Anonymised releases, private tables and factor analysis.
    path("", include("salama.evidence.release_urls")),
]

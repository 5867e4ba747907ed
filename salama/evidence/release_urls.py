"""URLs of anonymised releases (included from salama.evidence.urls, in its namespace)."""

from __future__ import annotations

from django.urls import path

from salama.evidence import release_views as views

urlpatterns = [
    path("releases/", views.release_list, name="release-list"),
    path("releases/<uuid:release_id>/", views.release_detail, name="release-detail"),
    path("releases/<uuid:release_id>/decide/", views.release_decide, name="release-decide"),
    path("releases/<uuid:release_id>/download/", views.release_download, name="release-download"),
]

from salama.evidence import privacy_views  # noqa: E402

urlpatterns += [
    path("privacy/", privacy_views.dp_tables, name="dp-tables"),
    path("privacy/<uuid:entry_id>/", privacy_views.dp_table, name="dp-table"),
]

from salama.evidence import factor_views  # noqa: E402

urlpatterns += [path("factors/", factor_views.factor_analysis, name="factors")]

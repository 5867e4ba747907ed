from __future__ import annotations

from django.urls import path

from salama.matching import run_views

urlpatterns = [
    path("runs/", run_views.run_list, name="runs"),
    path("runs/<uuid:run_id>/", run_views.run_detail, name="run-detail"),
    path("runs/<uuid:run_id>/progress/", run_views.run_progress, name="run-progress"),
    path("agreements/", run_views.agreement_list, name="agreements"),
    path(
        "agreements/<uuid:agreement_id>/accept/",
        run_views.agreement_accept,
        name="agreement-accept",
    ),
    path("agreements/<uuid:agreement_id>/end/", run_views.agreement_end, name="agreement-end"),
]

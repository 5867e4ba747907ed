from __future__ import annotations

from django.urls import path

from salama.matching import review_views as views

urlpatterns = [
    path("review/", views.review_queue, name="review-queue"),
    path("review/pairs/<uuid:pair_id>/", views.review_pair, name="review-pair"),
    path("review/pairs/<uuid:pair_id>/merge/", views.review_pair_merge, name="review-pair-merge"),
    path(
        "review/pairs/<uuid:pair_id>/not-duplicate/",
        views.review_pair_not_duplicate,
        name="review-pair-not-duplicate",
    ),
    path(
        "review/pairs/<uuid:pair_id>/disclose/",
        views.review_pair_disclose,
        name="review-pair-disclose",
    ),
    path("review/merges/<uuid:merge_id>/", views.review_merge, name="review-merge"),
    path("review/merges/<uuid:merge_id>/undo/", views.review_merge_undo, name="review-merge-undo"),
]

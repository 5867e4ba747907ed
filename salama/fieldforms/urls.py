from __future__ import annotations

from django.urls import path

from salama.fieldforms import openrosa, views

app_name = "fieldforms"

urlpatterns = [
    path("", views.form_list, name="form-list"),
    path("forms/<uuid:form_id>/", views.form_detail, name="form-detail"),
    path("versions/<uuid:version_id>/mapping/", views.version_mapping, name="version-mapping"),
    path("versions/<uuid:version_id>/media/", views.version_media, name="version-media"),
    path("devices/", views.device_list, name="device-list"),
    path("devices/<uuid:app_user_id>/revoke/", views.device_revoke, name="device-revoke"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<uuid:submission_id>/", views.review_detail, name="review-detail"),
    path(
        "review/<uuid:submission_id>/files/<str:name>",
        views.review_attachment,
        name="review-attachment",
    ),
    path("review/<uuid:submission_id>/accept/", views.review_accept, name="review-accept"),
    path("review/<uuid:submission_id>/reject/", views.review_reject, name="review-reject"),
    # OpenRosa (ODK Collect, KoboCollect, Enketo): the server URL is .../key/<token>
    path("key/<str:token>/formList", openrosa.form_list, name="openrosa-form-list"),
    path(
        "key/<str:token>/forms/<str:form_id>/form.xml", openrosa.form_download, name="openrosa-form"
    ),
    path(
        "key/<str:token>/forms/<str:form_id>/manifest",
        openrosa.form_manifest,
        name="openrosa-manifest",
    ),
    path(
        "key/<str:token>/forms/<str:form_id>/media/<str:filename>",
        openrosa.form_media,
        name="openrosa-media",
    ),
    path("key/<str:token>/submission", openrosa.submission, name="openrosa-submission"),
]

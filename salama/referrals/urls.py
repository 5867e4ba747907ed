from __future__ import annotations

from django.urls import path

from salama.referrals import collab_views, views

app_name = "referrals"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/manage/", views.directory_manage, name="directory-manage"),
    path("directory/services/<uuid:service_uuid>/", views.service_detail, name="service-detail"),
    path("directory/services/<uuid:service_uuid>/edit/", views.service_edit, name="service-edit"),
    path(
        "directory/providers/<uuid:provider_uuid>/services/new/",
        views.service_create,
        name="service-create",
    ),
    path("new/", views.referral_create, name="referral-create"),
    path("sent/", views.referral_sent_list, name="sent"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<uuid:referral_id>/", views.packet, name="packet"),
    path("board/", views.board, name="board"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/count/", views.notification_count, name="notification-count"),
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("transfers/new/", views.transfer_create, name="transfer-create"),
    path("transfers/<uuid:transfer_id>/", views.transfer_detail, name="transfer-detail"),
    path("transfers/<uuid:transfer_id>/accept/", views.transfer_accept, name="transfer-accept"),
    path("transfers/<uuid:transfer_id>/decline/", views.transfer_decline, name="transfer-decline"),
    path("download/<str:token>/", views.external_download, name="external-download"),
    path("delivered/", collab_views.delivery_list, name="delivery-list"),
    path("delivered/<uuid:record_id>/", collab_views.delivery_detail, name="delivery-detail"),
    path("<uuid:referral_id>/messages/", collab_views.thread, name="thread"),
    path("<uuid:referral_id>/", views.referral_detail, name="referral-detail"),
    path("<uuid:referral_id>/<str:action>/", views.referral_move, name="referral-move"),
]

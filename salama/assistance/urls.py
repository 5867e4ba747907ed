from __future__ import annotations

from django.urls import path

from salama.assistance import views

app_name = "assistance"

urlpatterns = [
    path("case/<uuid:case_id>/", views.case_assistance, name="case-assistance"),
    path("approvals/", views.approvals, name="approvals"),
    path("items/<uuid:item_id>/approve/", views.item_approve, name="item-approve"),
    path("items/<uuid:item_id>/reject/", views.item_reject, name="item-reject"),
    path("items/<uuid:item_id>/disburse/", views.item_disburse, name="item-disburse"),
    path("items/<uuid:item_id>/cancel/", views.item_cancel, name="item-cancel"),
    path("funds/", views.fund_list, name="fund-list"),
    path("funds/new/", views.fund_create, name="fund-create"),
    path("funds/<uuid:fund_id>/", views.fund_detail, name="fund-detail"),
    path("funds/<uuid:fund_id>/deposit/", views.fund_deposit, name="fund-deposit"),
    path("funds/<uuid:fund_id>/settings/", views.fund_settings, name="fund-settings"),
]

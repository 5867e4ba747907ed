from __future__ import annotations

from django.urls import path

from salama.cases import (
    approval_views,
    best_interests_views,
    exploitation_views,
    review_interval_views,
    safety_views,
    views,
)

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("new/", views.case_create, name="case-create"),
    path("retention/", views.retention, name="retention"),
    path("retention/apply/", views.retention_apply, name="retention-apply"),
    path("approvals/", approval_views.approval_queue, name="approval-queue"),
    path(
        "approvals/<uuid:request_id>/decide/",
        approval_views.approval_decide,
        name="approval-decide",
    ),
    path(
        "<uuid:case_id>/approvals/plan/",
        approval_views.case_plan_submit,
        name="case-plan-submit",
    ),
    path(
        "review-intervals/",
        review_interval_views.review_intervals,
        name="review-intervals",
    ),
    path("<uuid:case_id>/", views.case_detail, name="case-detail"),
    path("<uuid:case_id>/move/", views.case_move, name="case-move"),
    path("<uuid:case_id>/close/", views.case_close, name="case-close"),
    path("<uuid:case_id>/reopen/", views.case_reopen, name="case-reopen"),
    path("<uuid:case_id>/summary/", views.case_summary, name="case-summary"),
    path("<uuid:case_id>/assign/", views.case_assign, name="case-assign"),
    path(
        "<uuid:case_id>/reassignments/<uuid:request_id>/decide/",
        views.case_reassignment_decide,
        name="case-reassignment-decide",
    ),
    path("<uuid:case_id>/notes/", views.case_note_add, name="case-note-add"),
    path("<uuid:case_id>/attachments/", views.case_attachment_add, name="case-attachment-add"),
    path(
        "<uuid:case_id>/attachments/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("<uuid:case_id>/tasks/", views.case_task_add, name="case-task-add"),
    path(
        "<uuid:case_id>/tasks/<uuid:task_id>/status/",
        views.case_task_status,
        name="case-task-status",
    ),
    path("<uuid:case_id>/plan/", views.case_plan_add, name="case-plan-add"),
    path(
        "<uuid:case_id>/exploitation/",
        exploitation_views.case_exploitation,
        name="case-exploitation",
    ),
    path(
        "<uuid:case_id>/perpetrators/",
        exploitation_views.case_perpetrator_add,
        name="case-perpetrator-add",
    ),
    path(
        "<uuid:case_id>/perpetrators/<uuid:perpetrator_id>/",
        exploitation_views.case_perpetrator_change,
        name="case-perpetrator-change",
    ),
    path(
        "<uuid:case_id>/perpetrators/<uuid:perpetrator_id>/remove/",
        exploitation_views.case_perpetrator_remove,
        name="case-perpetrator-remove",
    ),
    path(
        "<uuid:case_id>/plan/<uuid:item_id>/status/",
        views.case_plan_status,
        name="case-plan-status",
    ),
    path("<uuid:case_id>/risk/", safety_views.case_risk_assess, name="case-risk-assess"),
    path("<uuid:case_id>/safety-plan/", safety_views.case_safety_plan, name="case-safety-plan"),
    path("<uuid:case_id>/contacts/", safety_views.case_contact_log, name="case-contact-log"),
    path(
        "<uuid:case_id>/best-interests/assessments/",
        best_interests_views.assessment_add,
        name="case-bia-add",
    ),
    path(
        "<uuid:case_id>/best-interests/assessments/<uuid:bia_id>/",
        best_interests_views.assessment_change,
        name="case-bia-change",
    ),
    path(
        "<uuid:case_id>/best-interests/determinations/",
        best_interests_views.determination_add,
        name="case-bid-add",
    ),
]

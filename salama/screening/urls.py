from __future__ import annotations

from django.urls import path

from salama.screening import views

app_name = "screening"

urlpatterns = [
    path("case/<uuid:case_id>/", views.case_screenings, name="case-screenings"),
    path("case/<uuid:case_id>/start/", views.screening_start, name="screening-start"),
    path("case/<uuid:case_id>/decision/", views.decision_create, name="decision-create"),
    path("case/<uuid:case_id>/referral/", views.referral_create, name="referral-create"),
    path(
        "decisions/<uuid:decision_id>/reconsiderations/",
        views.reconsideration_create,
        name="reconsideration-create",
    ),
    path(
        "reconsiderations/<uuid:reconsideration_id>/decide/",
        views.reconsideration_decide,
        name="reconsideration-decide",
    ),
    path("case/<uuid:case_id>/assessments/", views.assessment_start, name="assessment-start"),
    path("<uuid:screening_id>/", views.screening_detail, name="screening-detail"),
    path("<uuid:screening_id>/answer/", views.screening_answer, name="screening-answer"),
    path("<uuid:screening_id>/act/", views.screening_act, name="screening-act"),
    path("<uuid:screening_id>/finalise/", views.screening_finalise, name="screening-finalise"),
    path("<uuid:screening_id>/amend/", views.screening_amend, name="screening-amend"),
    path("assessments/<uuid:assessment_id>/", views.assessment_detail, name="assessment-detail"),
    path(
        "assessments/<uuid:assessment_id>/answer/",
        views.assessment_answer,
        name="assessment-answer",
    ),
    path(
        "assessments/<uuid:assessment_id>/events/", views.assessment_event, name="assessment-event"
    ),
    path(
        "assessments/<uuid:assessment_id>/finalise/",
        views.assessment_finalise,
        name="assessment-finalise",
    ),
    path(
        "assessments/<uuid:assessment_id>/amend/", views.assessment_amend, name="assessment-amend"
    ),
    path("assessments/<uuid:assessment_id>/plan/", views.assessment_plan, name="assessment-plan"),
]

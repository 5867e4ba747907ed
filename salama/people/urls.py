from __future__ import annotations

from django.urls import path

from salama.people import household_views, views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("new/", views.person_create, name="person-create"),
    path("new/duplicates/", views.person_duplicates, name="person-duplicates"),
    path("<uuid:person_id>/", views.person_detail, name="person-detail"),
    path("<uuid:person_id>/edit/", views.person_edit, name="person-edit"),
    path("<uuid:person_id>/documents/", views.document_add, name="person-document-add"),
    path("<uuid:person_id>/contacts/", views.contact_add, name="person-contact-add"),
    path("<uuid:person_id>/photo/", views.person_photo, name="person-photo"),
    path("<uuid:person_id>/photo/upload/", views.photo_upload, name="person-photo-upload"),
    path("<uuid:person_id>/erase/", views.person_erase, name="person-erase"),
    path("<uuid:person_id>/consents/new/", views.consent_create, name="consent-create"),
    path(
        "<uuid:person_id>/consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path(
        "<uuid:person_id>/household/",
        household_views.household_link_add,
        name="household-link-add",
    ),
    path(
        "<uuid:person_id>/household/search/",
        household_views.household_search,
        name="household-search",
    ),
    path(
        "<uuid:person_id>/household/<uuid:link_id>/remove/",
        household_views.household_link_remove,
        name="household-link-remove",
    ),
    path("<uuid:person_id>/guardians/", household_views.guardian_add, name="guardian-add"),
    path(
        "<uuid:person_id>/guardians/<uuid:guardian_id>/remove/",
        household_views.guardian_remove,
        name="guardian-remove",
    ),
]

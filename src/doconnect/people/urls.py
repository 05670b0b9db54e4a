"""The persons list and a person's page with its forms (``web`` namespace)."""

from django.urls import URLPattern, path

from doconnect.people import editing_views, privacy_views, registration_views, views
from doconnect.people.agreements import urls as agreement_urls

urlpatterns: list[URLPattern] = [
    path("persons/", views.person_list, name="person_list"),
    # Before persons/<public_id>/: "new", "duplicates" and "export" are no pseudonyms.
    path("persons/new/", registration_views.person_register, name="person_register"),
    path("persons/duplicates/", registration_views.duplicate_list, name="person_duplicates"),
    path("persons/export/", views.person_export, name="person_export"),
    path(
        "persons/duplicates/<int:candidate_id>/merge/",
        registration_views.duplicate_merge,
        name="person_duplicate_merge",
    ),
    path(
        "persons/duplicates/<int:candidate_id>/dismiss/",
        registration_views.duplicate_dismiss,
        name="person_duplicate_dismiss",
    ),
    path("persons/<str:public_id>/", views.person_detail, name="person_detail"),
    path("persons/<str:public_id>/consents/", views.consent_give, name="consent_give"),
    path(
        "persons/<str:public_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "persons/<str:public_id>/consents/<int:consent_id>/extend/",
        views.consent_extend,
        name="consent_extend",
    ),
    path("persons/<str:public_id>/wishes/", views.person_wishes, name="person_wishes"),
    path("persons/<str:public_id>/edit/", editing_views.person_edit, name="person_edit"),
    path("persons/<str:public_id>/spells/new/", editing_views.spell_new, name="spell_new"),
    path(
        "persons/<str:public_id>/spells/<int:spell_id>/edit/",
        editing_views.spell_edit,
        name="spell_edit",
    ),
    path(
        "persons/<str:public_id>/spells/<int:spell_id>/end/",
        editing_views.spell_end,
        name="spell_end",
    ),
    path("privacy/", privacy_views.privacy_requests, name="privacy_requests"),
    path("privacy/<str:public_id>/export/", privacy_views.privacy_export, name="privacy_export"),
    path("privacy/<str:public_id>/erase/", privacy_views.privacy_erase, name="privacy_erase"),
    path("audit/", privacy_views.audit_log, name="audit_log"),
    *agreement_urls.urlpatterns,
]

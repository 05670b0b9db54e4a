"""The persons list and a person's page with its forms (``web`` namespace)."""

from django.urls import URLPattern, path

from doconnect.people import views

urlpatterns: list[URLPattern] = [
    path("persons/", views.person_list, name="person_list"),
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
]

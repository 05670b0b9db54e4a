"""Referral pages (``web`` namespace): the provider's inbox and steps, and the city's
proposal from a person's page."""

from django.urls import URLPattern, path

from doconnect.referrals import views

urlpatterns: list[URLPattern] = [
    path(
        "persons/<str:public_id>/referrals/",
        views.referral_propose,
        name="referral_propose",
    ),
    path("referrals/", views.referral_inbox, name="referral_inbox"),
    path("referrals/<int:pk>/<slug:action>/", views.referral_action, name="referral_action"),
]

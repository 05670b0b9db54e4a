"""The offer catalogue, providers and districts (``web`` namespace)."""

from django.urls import URLPattern, path

from doconnect.offers import places_views, views

urlpatterns: list[URLPattern] = [
    path("offers/", views.offer_list, name="offer_list"),
    path("offers/<slug:external_id>/", views.offer_detail, name="offer_detail"),
    path("offers/<slug:external_id>/edit/", views.offer_edit, name="offer_edit"),
    path("providers/", places_views.provider_list, name="provider_list"),
    path("providers/<slug:external_id>/", places_views.provider_detail, name="provider_detail"),
    path("districts/", places_views.district_list, name="district_list"),
    path("districts/<str:official_key>/", places_views.district_detail, name="district_detail"),
]

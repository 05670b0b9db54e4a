"""The labour-market pages (``web`` namespace)."""

from django.urls import URLPattern, path

from doconnect.labourmarket import analysis_views, occupation_views, views

urlpatterns: list[URLPattern] = [
    path("labour-market/", views.labour_market, name="labour_market"),
    path(
        "labour-market/districts/<str:official_key>/",
        views.labour_market_district,
        name="labour_market_district",
    ),
    path(
        "labour-market/occupations/",
        occupation_views.labour_market_occupations,
        name="labour_market_occupations",
    ),
    path(
        "labour-market/potentials/",
        analysis_views.labour_market_potentials,
        name="labour_market_potentials",
    ),
    path(
        "labour-market/employers/",
        analysis_views.labour_market_employers,
        name="labour_market_employers",
    ),
]

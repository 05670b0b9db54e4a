"""Cohort transition reports (``web`` namespace)."""

from django.urls import URLPattern, path

from doconnect.transitions import views

urlpatterns: list[URLPattern] = [
    path("transitions/", views.transitions, name="transitions"),
    path("transitions/reports/<int:pk>/", views.transitions_report, name="transitions_report"),
]

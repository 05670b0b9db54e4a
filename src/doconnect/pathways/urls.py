"""The offer network with its dead ends (``web`` namespace)."""

from django.urls import URLPattern, path

from doconnect.pathways import views

urlpatterns: list[URLPattern] = [
    path("pathways/", views.pathways, name="pathways"),
]

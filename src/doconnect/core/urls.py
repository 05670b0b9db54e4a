"""The background-job status page, shared by every domain that starts long work."""

from django.urls import URLPattern, path

from doconnect.core import job_views

urlpatterns: list[URLPattern] = [
    path("jobs/<int:pk>/", job_views.job_status, name="job_status"),
]

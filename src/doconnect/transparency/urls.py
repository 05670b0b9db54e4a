"""The public pages (no login) and the coordinator's transparency page."""

from django.urls import path

from doconnect.transparency import public_views
from doconnect.transparency import views as transparency_views

urlpatterns = [
    path("public/", public_views.public_index, name="public_index"),
    path("public/reports/<int:year>/", public_views.public_report, name="public_report"),
    path("public/reports/<int:year>.pdf", public_views.public_report_pdf, name="public_report_pdf"),
    path(
        "public/reports/<int:year>/figures.csv",
        public_views.public_report_csv,
        name="public_report_csv",
    ),
    path("transparency/", transparency_views.transparency, name="transparency"),
    path(
        "transparency/<int:year>/preview/",
        transparency_views.transparency_preview,
        name="transparency_preview",
    ),
    path(
        "transparency/<int:year>/publish/",
        transparency_views.transparency_publish,
        name="transparency_publish",
    ),
    path(
        "transparency/reports/<int:pk>/withdraw/",
        transparency_views.transparency_withdraw,
        name="transparency_withdraw",
    ),
]

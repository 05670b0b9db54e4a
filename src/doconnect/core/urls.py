"""The background-job status page, shared by every domain that starts long work, and
the page where an imported user sets their password (``core/invitations.py``)."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path, reverse_lazy

from doconnect.core import job_views
from doconnect.core.invitations import PasswordSetForm

urlpatterns: list[URLPattern] = [
    path("jobs/<int:pk>/", job_views.job_status, name="job_status"),
    # Django's reset views: the token is checked, then kept in the session only, so the
    # link's secret does not stay in the address bar or reach a referrer.
    path(
        "password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/password_set.html",
            form_class=PasswordSetForm,
            success_url=reverse_lazy("web:password_set_done"),
        ),
        name="password_set",
    ),
    path(
        "password/set/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="core/password_set_done.html"),
        name="password_set_done",
    ),
]

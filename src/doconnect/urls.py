from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from doconnect.api.api import api

admin.site.site_header = "do-connect Verwaltung"
admin.site.site_title = "do-connect"

urlpatterns = [
    # One sign-in for everything: the admin's own login form would skip the second
    # factor and the throttling's page.
    path("admin/login/", RedirectView.as_view(pattern_name="web:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("doconnect.web.urls")),
]

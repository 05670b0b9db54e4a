from django.contrib import admin
from django.urls import include, path

from doconnect.api.api import api

admin.site.site_header = "do-connect Verwaltung"
admin.site.site_title = "do-connect"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("doconnect.web.urls")),
]

"""The site's URLs: the frame (dashboard, login) and every domain's pages, all in the
"web" namespace so links read ``web:person_detail`` wherever a page lives. Domains are
included by name, so nothing here imports a domain's views."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from doconnect.web import dashboard_views
from doconnect.web.forms import LoginForm

app_name = "web"
urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("doconnect.core.urls")),
    path("", include("doconnect.people.urls")),
    path("", include("doconnect.casework.urls")),
    path("", include("doconnect.casework.task_urls")),
    path("", include("doconnect.referrals.urls")),
    path("", include("doconnect.offers.urls")),
    path("", include("doconnect.pathways.urls")),
    path("", include("doconnect.allocation.urls")),
    path("", include("doconnect.transitions.urls")),
    path("", include("doconnect.labourmarket.urls")),
    path("", include("doconnect.scenarios.urls")),
    path("", include("doconnect.decisions.urls")),
    path("", include("doconnect.transparency.urls")),
    path("", include("doconnect.forum.urls")),
]

"""The site's URLs: the frame (dashboard, login) and every domain's pages, all in the
"web" namespace so links read ``web:person_detail`` wherever a page lives. Domains are
included by name, so nothing here imports a domain's views."""

from django.urls import include, path

from doconnect.web import dashboard_views, signin_views

app_name = "web"
urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("login/", signin_views.SignInView.as_view(), name="login"),
    path("login/code/", signin_views.code, name="login_code"),
    path("login/code/setup/", signin_views.code_setup, name="login_code_setup"),
    path("login/code/setup/qr.svg", signin_views.code_setup_qr, name="login_code_qr"),
    path("login/provider/", signin_views.ProviderSignInView.as_view(), name="oidc_start"),
    path(
        "login/provider/callback/",
        signin_views.ProviderCallbackView.as_view(),
        name="oidc_callback",
    ),
    path("logout/", signin_views.SignOutView.as_view(), name="logout"),
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

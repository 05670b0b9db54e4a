from django.contrib.auth import views as auth_views
from django.urls import path

from doconnect.web import pathways_views, views
from doconnect.web.forms import LoginForm

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("pathways/", pathways_views.pathways, name="pathways"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/<str:public_id>/", views.person_detail, name="person_detail"),
    path("persons/<str:public_id>/consents/", views.consent_give, name="consent_give"),
    path(
        "persons/<str:public_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "persons/<str:public_id>/referrals/",
        views.referral_propose,
        name="referral_propose",
    ),
]

from django.contrib.auth import views as auth_views
from django.urls import include, path

from doconnect.web import (
    allocation_views,
    dashboard_views,
    jobs_views,
    market_views,
    offers_views,
    pathways_views,
    places_views,
    referrals_views,
    transitions_views,
    views,
)
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
    path("pathways/", pathways_views.pathways, name="pathways"),
    path("allocation/", allocation_views.allocation, name="allocation"),
    path("allocation/weights/", allocation_views.allocation_weights, name="allocation_weights"),
    path("allocation/runs/<int:pk>/", allocation_views.allocation_run, name="allocation_run"),
    path(
        "allocation/runs/<int:pk>/persons/<str:public_id>/",
        allocation_views.allocation_person,
        name="allocation_person",
    ),
    path(
        "allocation/runs/<int:pk>/send/",
        allocation_views.allocation_send_view,
        name="allocation_send",
    ),
    path(
        "allocation/runs/<int:pk>/withdraw/",
        allocation_views.allocation_withdraw_view,
        name="allocation_withdraw",
    ),
    path("transitions/", transitions_views.transitions, name="transitions"),
    path(
        "transitions/reports/<int:pk>/",
        transitions_views.transitions_report,
        name="transitions_report",
    ),
    path("labour-market/", market_views.labour_market, name="labour_market"),
    path(
        "labour-market/districts/<str:official_key>/",
        market_views.labour_market_district,
        name="labour_market_district",
    ),
    path(
        "labour-market/occupations/",
        market_views.labour_market_occupations,
        name="labour_market_occupations",
    ),
    path(
        "labour-market/potentials/",
        market_views.labour_market_potentials,
        name="labour_market_potentials",
    ),
    path(
        "labour-market/employers/",
        market_views.labour_market_employers,
        name="labour_market_employers",
    ),
    path("jobs/<int:pk>/", jobs_views.job_status, name="job_status"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/<str:public_id>/", views.person_detail, name="person_detail"),
    path("persons/<str:public_id>/consents/", views.consent_give, name="consent_give"),
    path(
        "persons/<str:public_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "persons/<str:public_id>/consents/<int:consent_id>/extend/",
        views.consent_extend,
        name="consent_extend",
    ),
    path("persons/<str:public_id>/wishes/", views.person_wishes, name="person_wishes"),
    path(
        "persons/<str:public_id>/referrals/",
        views.referral_propose,
        name="referral_propose",
    ),
    path("referrals/", referrals_views.referral_inbox, name="referral_inbox"),
    path(
        "referrals/<int:pk>/<slug:action>/",
        referrals_views.referral_action,
        name="referral_action",
    ),
    path("offers/", offers_views.offer_list, name="offer_list"),
    path("offers/<slug:external_id>/", offers_views.offer_detail, name="offer_detail"),
    path("offers/<slug:external_id>/edit/", offers_views.offer_edit, name="offer_edit"),
    path("providers/", places_views.provider_list, name="provider_list"),
    path("providers/<slug:external_id>/", places_views.provider_detail, name="provider_detail"),
    path("districts/", places_views.district_list, name="district_list"),
    path("districts/<str:official_key>/", places_views.district_detail, name="district_detail"),
    # Each area's pages in its own url module, inside this "web" namespace.
    path("", include("doconnect.web.scenario_urls")),
    path("", include("doconnect.web.decision_urls")),
    path("", include("doconnect.web.public_urls")),
    path("", include("doconnect.web.forum_urls")),
]

"""The priority decision pages (``web`` namespace): internal under /decisions/, public
(no login) under /public/decisions/."""

from django.urls import URLPattern, path

from doconnect.decisions import views

urlpatterns: list[URLPattern] = [
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/new/", views.decision_new, name="decision_new"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/weights/", views.decision_weights, name="decision_weights"),
    path("decisions/<int:pk>/preview/", views.decision_preview, name="decision_preview"),
    path("decisions/<int:pk>/options/new/", views.decision_option_add, name="decision_option_add"),
    path(
        "decisions/<int:pk>/options/<int:option_pk>/",
        views.decision_option_values,
        name="decision_option_values",
    ),
    path(
        "decisions/<int:pk>/criteria/new/",
        views.decision_criterion_add,
        name="decision_criterion_add",
    ),
    path("decisions/<int:pk>/record/", views.decision_record_view, name="decision_record"),
    path("decisions/<int:pk>/publish/", views.decision_publish_view, name="decision_publish"),
    path("decisions/<int:pk>/withdraw/", views.decision_withdraw_view, name="decision_withdraw"),
    path("public/decisions/", views.public_decision_list, name="public_decision_list"),
    path(
        "public/decisions/<int:pk>/",
        views.public_decision_detail,
        name="public_decision_detail",
    ),
]

"""City-wide allocation of scarce places (``web`` namespace)."""

from django.urls import URLPattern, path

from doconnect.allocation import views

urlpatterns: list[URLPattern] = [
    path("allocation/", views.allocation, name="allocation"),
    path("allocation/weights/", views.allocation_weights, name="allocation_weights"),
    path("allocation/runs/<int:pk>/", views.allocation_run, name="allocation_run"),
    path(
        "allocation/runs/<int:pk>/persons/<str:public_id>/",
        views.allocation_person,
        name="allocation_person",
    ),
    path("allocation/runs/<int:pk>/send/", views.allocation_send_view, name="allocation_send"),
    path(
        "allocation/runs/<int:pk>/withdraw/",
        views.allocation_withdraw_view,
        name="allocation_withdraw",
    ),
]

"""A person's agreements (``web`` namespace, included by ``people/urls.py``)."""

from django.urls import URLPattern, path

from doconnect.people.agreements import views

urlpatterns: list[URLPattern] = [
    path("persons/<str:public_id>/agreements/new/", views.agreement_new, name="agreement_new"),
    path(
        "persons/<str:public_id>/agreements/<int:agreement_id>/",
        views.agreement_detail,
        name="agreement_detail",
    ),
    path(
        "persons/<str:public_id>/agreements/<int:agreement_id>.pdf",
        views.agreement_pdf,
        name="agreement_pdf",
    ),
    path(
        "persons/<str:public_id>/agreements/<int:agreement_id>/items/<int:item_id>/",
        views.agreement_item_update,
        name="agreement_item_update",
    ),
    path(
        "persons/<str:public_id>/agreements/<int:agreement_id>/close/",
        views.agreement_close,
        name="agreement_close",
    ),
]

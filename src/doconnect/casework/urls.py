"""The case-work pages of a person (``web`` namespace): notes, follow-ups, appointments
and the responsible worker under ``/persons/<public_id>/…``."""

from django.urls import URLPattern, path

from doconnect.casework import views

urlpatterns: list[URLPattern] = [
    path("persons/<str:public_id>/notes/", views.notes, name="casework_notes"),
    path(
        "persons/<str:public_id>/notes/<int:note_id>/correct/",
        views.note_correct,
        name="casework_note_correct",
    ),
    path("persons/<str:public_id>/follow-ups/", views.follow_ups, name="casework_follow_ups"),
    path(
        "persons/<str:public_id>/follow-ups/<int:follow_up_id>/done/",
        views.follow_up_done,
        name="casework_follow_up_done",
    ),
    path(
        "persons/<str:public_id>/appointments/",
        views.appointments,
        name="casework_appointments",
    ),
    path(
        "persons/<str:public_id>/appointments/<int:appointment_id>/status/",
        views.appointment_status,
        name="casework_appointment_status",
    ),
    path("persons/<str:public_id>/responsible/", views.responsible, name="casework_responsible"),
]

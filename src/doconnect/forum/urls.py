"""The labour-policy conference's pages (``forum_views``), inside the "web" namespace."""

from django.urls import URLPattern, path

from doconnect.forum import views as forum_views

urlpatterns: list[URLPattern] = [
    path("conference/", forum_views.session_list, name="forum_sessions"),
    path("conference/sessions/<int:pk>/", forum_views.session_detail, name="forum_session"),
    path(
        "conference/sessions/<int:pk>/agenda/",
        forum_views.session_agenda_add,
        name="forum_session_agenda",
    ),
    path(
        "conference/sessions/<int:pk>/documents/",
        forum_views.session_document_add,
        name="forum_session_document",
    ),
    path(
        "conference/sessions/<int:pk>/participants/",
        forum_views.session_participant_add,
        name="forum_session_participant",
    ),
    path(
        "conference/sessions/<int:pk>/minutes/",
        forum_views.session_minutes_record,
        name="forum_session_minutes",
    ),
    path(
        "conference/sessions/<int:pk>/decisions/",
        forum_views.session_decision_record,
        name="forum_session_decision",
    ),
    path(
        "conference/sessions/<int:pk>/commitments/",
        forum_views.session_commitment_create,
        name="forum_session_commitment",
    ),
    path(
        "conference/decisions/<int:pk>/publish/",
        forum_views.decision_publish,
        name="forum_decision_publish",
    ),
    path("conference/commitments/", forum_views.commitment_board, name="forum_commitments"),
    path(
        "conference/commitments/<int:pk>/",
        forum_views.commitment_detail,
        name="forum_commitment",
    ),
    path(
        "conference/commitments/<int:pk>/publish/",
        forum_views.commitment_publish,
        name="forum_commitment_publish",
    ),
    path("conference/actors/", forum_views.actor_list, name="forum_actors"),
    path(
        "conference/actors/<slug:external_id>/",
        forum_views.actor_detail,
        name="forum_actor",
    ),
    path("conference/network/", forum_views.network, name="forum_network"),
    path("conference/overlap/", forum_views.overlap, name="forum_overlap"),
    path("public/conference/", forum_views.public_log, name="forum_public_log"),
]

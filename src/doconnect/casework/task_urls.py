"""The task page, its settings and the calendar feed (``web`` namespace)."""

from django.urls import URLPattern, path

from doconnect.casework import calendar_feed, task_views

urlpatterns: list[URLPattern] = [
    path("tasks/", task_views.task_list, name="tasks"),
    path("tasks/settings/", task_views.task_settings, name="task_settings"),
    path("calendar/<str:token>.ics", calendar_feed.calendar_feed, name="calendar_feed"),
]

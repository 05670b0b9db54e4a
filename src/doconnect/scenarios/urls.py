from django.urls import path

from doconnect.scenarios import views as scenario_views

urlpatterns = [
    path("scenarios/", scenario_views.scenario_list, name="scenario_list"),
    path("scenarios/compare/", scenario_views.scenario_compare, name="scenario_compare"),
    path("scenarios/<int:pk>/", scenario_views.scenario_detail, name="scenario_detail"),
    path("scenarios/runs/<int:pk>/", scenario_views.scenario_run, name="scenario_run"),
    path(
        "scenarios/runs/<int:pk>/to-decision/",
        scenario_views.scenario_run_to_decision,
        name="scenario_run_to_decision",
    ),
]

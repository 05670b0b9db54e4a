from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "doconnect.pathways"
    label = "pathways"
    verbose_name = "Pfade"

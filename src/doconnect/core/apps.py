from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "doconnect.core"
    verbose_name = "Grundlagen"

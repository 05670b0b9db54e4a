from django.apps import AppConfig


class AllocationsConfig(AppConfig):
    name = "doconnect.allocations"
    verbose_name = "Allocation"

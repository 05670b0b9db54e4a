from django.apps import AppConfig


class AllocationsConfig(AppConfig):
    name = "doconnect.allocations"
    verbose_name = "Allocation"

    def ready(self) -> None:
        from doconnect.allocations import jobs  # noqa: F401  (registers the job kind)

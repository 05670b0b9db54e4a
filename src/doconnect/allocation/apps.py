from django.apps import AppConfig


class AllocationsConfig(AppConfig):
    name = "doconnect.allocation"
    label = "allocations"
    verbose_name = "Allocation"

    def ready(self) -> None:
        from doconnect.allocation import jobs  # noqa: F401  (registers the job kind)

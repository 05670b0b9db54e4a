from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "doconnect.transitions"
    verbose_name = "Transition monitoring"

    def ready(self) -> None:
        from doconnect.transitions import jobs  # noqa: F401  (registers the job kind)

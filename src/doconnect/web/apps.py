from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "doconnect.web"

    def ready(self) -> None:
        from doconnect.web import signin_checks  # noqa: F401  (registers the check)

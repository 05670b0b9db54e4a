from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScenariosConfig(AppConfig):
    name = "doconnect.scenarios"
    verbose_name = _("Szenarien")

    def ready(self) -> None:
        from doconnect.scenarios import jobs  # noqa: F401  (registers the job kind)

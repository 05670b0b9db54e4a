from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "doconnect.forum"
    verbose_name = _("Arbeitspolitikkonferenz")

    def ready(self) -> None:
        from doconnect.forum import jobs  # noqa: F401  (registers the job kind)

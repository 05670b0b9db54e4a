from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "doconnect.transparency"
    verbose_name = _("Transparenz")

    def ready(self) -> None:
        from doconnect.core.changes import watch
        from doconnect.transparency import jobs  # noqa: F401  (registers the job kind)
        from doconnect.transparency.selectors import REPORT_TABLES

        # The yearly report's figures are kept while these tables are unchanged.
        watch(*REPORT_TABLES)

from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "doconnect.pathways"
    label = "pathways"
    verbose_name = "Pfade"

    def ready(self) -> None:
        from doconnect.core import warmup
        from doconnect.core.changes import watch
        from doconnect.pathways import jobs  # noqa: F401  (registers the job kind)
        from doconnect.pathways.next_steps import (
            FREE_PLACE_TABLES,
            GROUND_TABLES,
            ground_preload,
        )

        # The ground of the next steps (the landscape, its leavers) and free places are
        # kept while these tables are unchanged (LEAVER_TABLES among them).
        watch(*GROUND_TABLES, *FREE_PLACE_TABLES)
        # Loaded once by the server before its workers fork, not by each on a person page.
        warmup.on_start(ground_preload)

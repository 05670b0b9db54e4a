from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "doconnect.core"
    verbose_name = "Grundlagen"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # city_transfers: core's own import kinds (autodiscovery finds each app's
        # ``transfers`` module, and core's is the registry itself). schedule: the daily
        # commands' job kind, so every process that may run a job knows it.
        from doconnect.core import city_transfers, schedule  # noqa: F401
        from doconnect.core.changes import on_post_migrate

        # The change counters' triggers (core.changes), after every migrate and flush.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="core-changes")
        # The inactivity timeout counts from signing in (core.security).
        from django.contrib.auth.signals import user_logged_in

        from doconnect.core.security import mark_signed_in

        user_logged_in.connect(mark_signed_in, dispatch_uid="core-session-start")

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "doconnect.people"

    def ready(self) -> None:
        from doconnect.core.changes import watch
        from doconnect.people.models import Person

        # The analysts' coarsened records (analyst_view) are kept while no person changed.
        watch(Person)

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "doconnect.people"

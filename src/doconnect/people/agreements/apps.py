from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "doconnect.people.agreements"
    label = "agreements"

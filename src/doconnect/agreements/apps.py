from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "doconnect.agreements"

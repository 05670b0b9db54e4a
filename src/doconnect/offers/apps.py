from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "doconnect.offers"

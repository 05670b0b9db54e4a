from django.apps import AppConfig


class LabourmarketConfig(AppConfig):
    name = "doconnect.labourmarket"

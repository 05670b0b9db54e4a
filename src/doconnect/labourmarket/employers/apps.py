from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "doconnect.labourmarket.employers"
    label = "employers"

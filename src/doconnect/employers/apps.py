from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "doconnect.employers"

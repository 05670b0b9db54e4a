from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "doconnect.referrals"

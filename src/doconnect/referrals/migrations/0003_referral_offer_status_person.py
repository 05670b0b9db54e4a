from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_steps_events_expiry"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["offer", "status", "person"], name="referral_offer_status_person"
            ),
        ),
    ]

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_consent_purposes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="spell",
            index=models.Index(
                condition=Q(offer__isnull=False),
                fields=["offer", "person", "start", "end"],
                name="spell_offer_person_running",
            ),
        ),
    ]

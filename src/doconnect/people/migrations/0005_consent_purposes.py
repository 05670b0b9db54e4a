"""A consent carries the purposes it was given for, one column each, instead of one
purpose: the existing single purpose becomes its one column, nothing is lost."""

from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

PURPOSES = ("counselling", "placement", "case_conference", "monitoring")


def purpose_to_columns(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    consent = apps.get_model("people", "Consent")
    for code in PURPOSES:
        consent.objects.filter(purpose=code).update(**{code: True})
    # A purpose outside the vocabulary cannot be stored; it was validated on entry, so
    # none should exist — but if one does, refusing beats silently opening nothing.
    stray = sorted(
        set(consent.objects.exclude(purpose__in=PURPOSES).values_list("purpose", flat=True))
    )
    if stray:
        raise RuntimeError(f"consents with an unknown purpose: {stray}")


def columns_to_purpose(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Backwards: the first purpose in the vocabulary's order (a consent for several
    # purposes loses the others — the old model could not hold them).
    consent = apps.get_model("people", "Consent")
    for code in reversed(PURPOSES):
        consent.objects.filter(**{code: True}).update(purpose=code)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_audit_event_persons_and_dpo"),
        ("people", "0004_registration_duplicates_merges"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="counselling",
            field=models.BooleanField(default=False, verbose_name="Beratung und Begleitung"),
        ),
        migrations.AddField(
            model_name="consent",
            name="placement",
            field=models.BooleanField(
                default=False, verbose_name="Vermittlung in Angebote und Arbeit"
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="case_conference",
            field=models.BooleanField(default=False, verbose_name="Fallkonferenz mehrerer Stellen"),
        ),
        migrations.AddField(
            model_name="consent",
            name="monitoring",
            field=models.BooleanField(
                default=False, verbose_name="Verlaufsbeobachtung (Übergangsmonitoring)"
            ),
        ),
        migrations.RunPython(purpose_to_columns, columns_to_purpose),
        migrations.RemoveField(model_name="consent", name="purpose"),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("counselling", True),
                    ("placement", True),
                    ("case_conference", True),
                    ("monitoring", True),
                    _connector="OR",
                ),
                name="consent_has_a_purpose",
            ),
        ),
    ]

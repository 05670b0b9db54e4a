"""One gender spelling throughout (issue #17): the demo city's target group
"Schulabgänger/innen ohne Abschluss" becomes "Schulabgänger:innen ohne Abschluss", the
colon form the platform uses everywhere (screen readers read it as a short pause). Only
the exact old label is changed; a city's own wording stays as it is."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

OLD = "Schulabgänger/innen ohne Abschluss"
NEW = "Schulabgänger:innen ohne Abschluss"


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("core", "TargetGroup").objects.filter(label=OLD).update(label=NEW)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("core", "TargetGroup").objects.filter(label=NEW).update(label=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_job_worker_and_schedule"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

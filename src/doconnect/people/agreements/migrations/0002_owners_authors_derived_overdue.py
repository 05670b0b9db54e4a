"""Items get an owner (the guaranteeing organisation and, optionally, a worker there),
agreements an author and a time; "late" stops being a stored status: it is derived
from the due date. Existing rows: "late" items become "open" (the due date still says
they are overdue), and each institution item is owned by its agreement's organisation."""

import django.db.models.deletion
import django.db.models.functions.datetime
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def late_is_derived(apps, schema_editor):
    AgreementItem = apps.get_model("agreements", "AgreementItem")
    AgreementItem.objects.filter(status="late").update(status="open")
    Agreement = apps.get_model("agreements", "Agreement")
    AgreementItem.objects.filter(side="institution", owner_organisation__isnull=True).update(
        owner_organisation_id=Subquery(
            Agreement.objects.filter(pk=OuterRef("agreement_id")).values("organisation_id")[:1]
        )
    )
    if schema_editor.connection.vendor == "postgresql":
        # The new owners' foreign key checks are deferred to the end of the transaction;
        # run them now, or PostgreSQL refuses the constraint below ("pending trigger
        # events").
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0001_initial'),
        ('core', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='agreement',
            name='created_at',
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now, verbose_name='Geschrieben am'),
        ),
        migrations.AddField(
            model_name='agreement',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Geschrieben von'),
        ),
        migrations.AddField(
            model_name='agreementitem',
            name='owner_organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='agreement_items', to='core.organisation', verbose_name='Zuständige Stelle'),
        ),
        migrations.AddField(
            model_name='agreementitem',
            name='owner_user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Zuständige Fachkraft'),
        ),
        migrations.AlterField(
            model_name='agreementitem',
            name='status',
            field=models.CharField(choices=[('open', 'offen'), ('done', 'erledigt'), ('dropped', 'entfallen')], default='open', max_length=10, verbose_name='Status'),
        ),
        migrations.RunPython(late_is_derived, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='agreementitem',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('owner_organisation__isnull', True), ('side', 'person')), models.Q(('owner_organisation__isnull', False), ('side', 'institution')), _connector='OR'), name='agreement_item_owner_fits_side'),
        ),
    ]

"""Fill the postcode table of a database that already holds the demo city (loaded
before the table existed); a new demo load fills it itself. Real cities keep their own
table (admin or `doconnect import postcodes`), so nothing happens without a demo run."""

from django.db import migrations


def fill_demo_postcodes(apps, schema_editor):
    from doconnect.demo.districts import AGS_DORTMUND, DISTRICTS

    DemoRun = apps.get_model("demo", "DemoRun")
    District = apps.get_model("core", "District")
    PostcodeDistrict = apps.get_model("employers", "PostcodeDistrict")
    if not DemoRun.objects.exists() or PostcodeDistrict.objects.exists():
        return
    districts = dict(District.objects.values_list("official_key", "id"))
    shared = {
        p
        for d in DISTRICTS
        for p in d.postcodes
        if sum(p in other.postcodes for other in DISTRICTS) > 1
    }
    PostcodeDistrict.objects.bulk_create(
        [
            PostcodeDistrict(postcode=p, district_id=districts[AGS_DORTMUND + d.number])
            for d in DISTRICTS
            if AGS_DORTMUND + d.number in districts
            for p in d.postcodes
            if p not in shared
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("demo", "0001_initial"),
        ("employers", "0002_postcodedistrict"),
    ]

    operations = [migrations.RunPython(fill_demo_postcodes, migrations.RunPython.noop)]

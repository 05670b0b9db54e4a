"""The migration that gives items owners and stops storing "late": existing rows keep
their meaning (a late item becomes open, its due date still says it is overdue; each
guarantee is owned by its agreement's organisation)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from doconnect.core.models import Organisation
from doconnect.people.models import Person

BEFORE = [("agreements", "0001_initial")]
AFTER = [("agreements", "0002_owners_authors_derived_overdue")]


@pytest.mark.django_db(transaction=True)
def test_late_items_become_open_and_guarantees_get_their_agreements_organisation() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    # Persons and organisations as they are today (only the agreements went back).
    organisation = Organisation.objects.create(external_id="jc", name="Jobcenter", kind="jobcenter")
    person = Person.objects.create()
    agreement = old.get_model("agreements", "Agreement").objects.create(
        person_id=person.pk,
        organisation_id=organisation.pk,
        title="Alt",
        concluded_on=dt.date(2025, 1, 1),
    )
    Item = old.get_model("agreements", "AgreementItem")
    late = Item.objects.create(
        agreement=agreement,
        side="institution",
        text="Zahlt",
        status="late",
        due_on=dt.date(2025, 2, 1),
    )
    mine = Item.objects.create(agreement=agreement, side="person", text="Kommt", status="done")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("agreements", "AgreementItem")

    assert new.objects.get(pk=late.pk).status == "open"
    assert new.objects.get(pk=late.pk).owner_organisation_id == organisation.pk
    assert (
        new.objects.get(pk=mine.pk).status,
        new.objects.get(pk=mine.pk).owner_organisation_id,
    ) == (
        "done",
        None,
    )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

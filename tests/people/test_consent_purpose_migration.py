"""The migration that lets a consent carry several purposes: every consent on file keeps
exactly the purpose it was given for, as its one purpose column."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from doconnect.people.models import Consent

BEFORE = [("people", "0004_registration_duplicates_merges")]
AFTER = [("people", "0005_consent_purposes")]


@pytest.mark.django_db(transaction=True)
def test_each_stored_purpose_becomes_the_consents_one_purpose() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    person = old.get_model("people", "Person").objects.create(public_id="P-MIGRATE1")
    OldConsent = old.get_model("people", "Consent")
    ids = {
        purpose: OldConsent.objects.create(
            person=person, purpose=purpose, valid_from=dt.date(2026, 1, 1)
        ).pk
        for purpose in ("counselling", "placement", "case_conference", "monitoring")
    }

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    for purpose, pk in ids.items():
        assert Consent.objects.get(pk=pk).purposes == [purpose]

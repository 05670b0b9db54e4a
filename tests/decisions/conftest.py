"""A draft decision with the scoring tests' worked example: three options (A, B, C)
on coverage (weight 2), providers kept and cost (weight 1 each); C scores highest."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from doconnect.decisions.from_scenarios import CriterionSpec
from doconnect.decisions.models import Decision
from doconnect.decisions.services import (
    criterion_set_weights,
    decision_create,
    decision_record,
    option_add,
)

REASONS = "Die Abdeckung der Jugendlichen wiegt für den Rat am schwersten."


def worked_decision(coordinator: User) -> Decision:
    decision = decision_create(
        title="Brückenbudget 2027",
        question="Wie verteilen wir das Brückenbudget 2027?",
        context="Der Bund kürzt Bildungsgutscheine um 30 %.",
        criteria=[
            CriterionSpec("cov", "Abdeckung Jugendliche", "higher", "Anteil gedeckt"),
            CriterionSpec("prov", "Erhaltene Träger", "higher", ""),
            CriterionSpec("cost", "Kosten der Brücke (€)", "lower", ""),
        ],
        actor=coordinator,
    )
    criterion_set_weights(decision=decision, weights={"cov": Decimal(2)}, actor=coordinator)
    for label, values in (
        ("Option A", {"cov": 0.5, "prov": 10, "cost": 100}),
        ("Option B", {"cov": 0.8, "prov": 6, "cost": 200}),
        ("Option C", {"cov": 0.7, "prov": 8, "cost": 150}),
    ):
        option_add(decision=decision, label=label, values=values, actor=coordinator)
    return decision


@pytest.fixture
def draft(coordinator: User) -> Decision:
    return worked_decision(coordinator)


@pytest.fixture
def decided(draft: Decision, coordinator: User) -> Decision:
    decision_record(
        decision=draft,
        chosen=draft.options.get(label="Option C"),
        reasons=REASONS,
        actor=coordinator,
    )
    return draft

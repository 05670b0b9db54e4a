"""Writing decisions: only coordinators, frozen once decided, a record that keeps its
snapshot, and a reason required for choosing below the top score."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from doconnect.decisions.from_scenarios import PLACES_KEPT, coverage_criterion
from doconnect.decisions.models import Decision, DecisionStatus, OptionValue
from doconnect.decisions.selectors import decision_table, shown_table
from doconnect.decisions.services import (
    criterion_add,
    criterion_set_weights,
    decision_create,
    decision_publish,
    decision_record,
    decision_withdraw,
    option_add,
    option_add_from_scenario_result,
    value_set,
)
from tests.decisions.conftest import REASONS
from tests.decisions.test_from_scenarios import RESULT


def test_the_worked_decision_scores_option_c_first(draft: Decision) -> None:
    result = decision_table(draft).score()

    assert result is not None
    assert result.winner == str(draft.options.get(label="Option C").pk)


@pytest.mark.parametrize("persona", ["case_worker", "analyst", "provider_staff", "outsider"])
def test_only_coordinators_write(
    request: pytest.FixtureRequest, persona: str, draft: Decision
) -> None:
    user = request.getfixturevalue(persona)
    option = draft.options.first()
    assert option is not None
    for write in (
        lambda: decision_create(title="x", question="y", actor=user),
        lambda: criterion_set_weights(decision=draft, weights={"cov": Decimal(1)}, actor=user),
        lambda: value_set(option=option, values={"cov": 0.1}, actor=user),
        lambda: decision_record(decision=draft, chosen=option, reasons=REASONS, actor=user),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert Decision.objects.count() == 1


def test_a_decision_records_a_snapshot_and_freezes_the_table(
    decided: Decision, coordinator: User
) -> None:
    record = decided.record
    assert decided.status == DecisionStatus.DECIDED
    assert record.weights == {"cov": "2.00", "prov": "1.00", "cost": "1.00"}
    assert record.scores["winner"] == str(record.chosen_id)
    assert record.decided_by_label == ""  # no full name: the pages name the office
    assert record.deviation_reason == ""

    option = decided.options.get(label="Option A")
    with pytest.raises(ValidationError, match="getroffen"):
        value_set(option=option, values={"cov": 0.99}, actor=coordinator)
    with pytest.raises(ValidationError, match="getroffen"):
        criterion_set_weights(decision=decided, weights={"cov": Decimal(9)}, actor=coordinator)
    with pytest.raises(ValidationError, match="getroffen"):
        option_add(decision=decided, label="D", values={}, actor=coordinator)

    # Even an edit behind the services' back leaves the record as it was.
    OptionValue.objects.filter(option=option).update(value=0.0)
    assert shown_table(decided).option(str(option.pk)).values["cov"] == 0.5  # type: ignore[union-attr]


def test_choosing_another_option_than_the_best_needs_a_reason(
    draft: Decision, coordinator: User
) -> None:
    option_b = draft.options.get(label="Option B")
    with pytest.raises(ValidationError) as refused:
        decision_record(decision=draft, chosen=option_b, reasons=REASONS, actor=coordinator)
    assert "deviation_reason" in refused.value.message_dict

    record = decision_record(
        decision=draft,
        chosen=option_b,
        reasons=REASONS,
        deviation_reason="B hält mehr Plätze für Jugendliche, das geht vor die Kosten.",
        actor=coordinator,
    )
    assert record.deviation_reason.startswith("B hält")


def test_short_reasons_are_refused(draft: Decision, coordinator: User) -> None:
    with pytest.raises(ValidationError) as refused:
        decision_record(
            decision=draft,
            chosen=draft.options.get(label="Option C"),
            reasons="weil",
            actor=coordinator,
        )
    assert "reasons" in refused.value.message_dict
    assert Decision.objects.get().status == DecisionStatus.DRAFT


def test_a_decision_with_a_missing_value_cannot_be_taken(
    draft: Decision, coordinator: User
) -> None:
    criterion_add(
        decision=draft,
        code="new",
        label="Neu",
        direction="higher",
        weight=Decimal(1),
        actor=coordinator,
    )
    with pytest.raises(ValidationError, match="jede Option einen Wert"):
        decision_record(
            decision=draft,
            chosen=draft.options.get(label="Option C"),
            reasons=REASONS,
            actor=coordinator,
        )


def test_publish_and_withdraw_follow_the_record(decided: Decision, coordinator: User) -> None:
    decision_publish(decision=decided, actor=coordinator)
    assert decided.status == DecisionStatus.PUBLISHED
    assert decided.record.published_at is not None

    with pytest.raises(ValidationError):
        decision_publish(decision=decided, actor=coordinator)
    with pytest.raises(ValidationError) as refused:
        decision_withdraw(decision=decided, reason="zu kurz", actor=coordinator)
    assert "reason" in refused.value.message_dict

    decision_withdraw(
        decision=decided,
        reason="Der Rat hat den Haushalt neu beschlossen; wir entscheiden neu.",
        actor=coordinator,
    )
    assert Decision.objects.get().status == DecisionStatus.WITHDRAWN


def test_a_draft_cannot_be_published(draft: Decision, coordinator: User) -> None:
    with pytest.raises(ValidationError):
        decision_publish(decision=draft, actor=coordinator)


def test_an_option_from_a_scenario_result_takes_the_criteria_it_has(coordinator: User) -> None:
    decision = decision_create(
        title="Kürzung",
        question="Welches Szenario?",
        criteria=[coverage_criterion("youth", "Jugendliche"), PLACES_KEPT],
        actor=coordinator,
    )
    option = option_add_from_scenario_result(
        decision=decision, label="Mit Brücke", result=RESULT, actor=coordinator
    )
    assert option.source_label == "Kürzung Bildungsgutscheine 2027"
    assert decision_table(decision).option(str(option.pk)).values == {  # type: ignore[union-attr]
        "coverage:youth": 28 / 50,
        "places_kept": 33.0,
    }

    # a criterion added later is filled from the stored result
    criterion_add(
        decision=decision,
        code="bridge_cost",
        label="Kosten",
        direction="lower",
        weight=Decimal(1),
        actor=coordinator,
    )
    assert OptionValue.objects.get(option=option, criterion__code="bridge_cost").value == 190000.0


def test_a_bad_scenario_result_is_refused_naming_the_key(coordinator: User) -> None:
    decision = decision_create(title="x", question="y", actor=coordinator)
    with pytest.raises(ValidationError, match="summary"):
        option_add_from_scenario_result(
            decision=decision, label="kaputt", result={"name": "x"}, actor=coordinator
        )
    assert not decision.options.exists()


def test_unknown_criteria_and_duplicate_labels_are_refused(
    draft: Decision, coordinator: User
) -> None:
    with pytest.raises(ValidationError, match="Unbekannte Kriterien: nope"):
        criterion_set_weights(decision=draft, weights={"nope": Decimal(1)}, actor=coordinator)
    with pytest.raises(ValidationError):
        option_add(decision=draft, label="Option A", values={}, actor=coordinator)
    with pytest.raises(ValidationError):
        criterion_add(
            decision=draft,
            code="cov",
            label="x",
            direction="higher",
            weight=Decimal(1),
            actor=coordinator,
        )


@pytest.mark.parametrize(("eving_demand", "publishable"), [(3, False), (5, True)])
def test_a_coverage_share_resting_on_fewer_than_five_persons_is_not_published(
    coordinator: User, eving_demand: int, publishable: bool
) -> None:
    result = copy.deepcopy(RESULT)
    result["coverage"] = [dict(RESULT["coverage"][0], demand=eving_demand)]
    result["summary"]["demand_covered_after_bridge"] = {"youth": 2, "long_term": 0}
    decision = decision_create(
        title="Kleine Gruppe",
        question="Welches Szenario?",
        criteria=[coverage_criterion("youth", "Jugendliche"), PLACES_KEPT],
        actor=coordinator,
    )
    option = option_add_from_scenario_result(
        decision=decision, label="A", result=result, actor=coordinator
    )
    option_add(
        decision=decision,
        label="B",
        values={"coverage:youth": 0.5, "places_kept": 20},
        actor=coordinator,
    )
    decision_record(decision=decision, chosen=option, reasons=REASONS, actor=coordinator)
    if publishable:
        decision_publish(decision=decision, actor=coordinator)
        assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.PUBLISHED
    else:
        with pytest.raises(ValidationError, match="Abdeckung Jugendliche"):
            decision_publish(decision=decision, actor=coordinator)
        assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.DECIDED

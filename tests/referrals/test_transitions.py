"""The referral state machine as a table (pure): every pair of states is either one
allowed step or refused, and each step belongs to exactly one side."""

from __future__ import annotations

import itertools

import pytest

from doconnect.referrals.models import ReferralStatus
from doconnect.referrals.states import (
    ALLOWED,
    FINAL,
    STATES,
    STEPS,
    Side,
    TransitionRefused,
    actions_from,
    check,
)

EXPECTED_STEPS = {
    ("proposed", "sent"): ("send", Side.CITY),
    ("sent", "accepted"): ("accept", Side.PROVIDER),
    ("sent", "declined"): ("decline", Side.PROVIDER),
    ("sent", "expired"): ("expire", Side.SYSTEM),
    ("accepted", "started"): ("start", Side.PROVIDER),
    ("started", "completed"): ("complete", Side.PROVIDER),
    ("started", "dropped_out"): ("drop_out", Side.PROVIDER),
    ("proposed", "cancelled"): ("cancel", Side.CITY),
    ("sent", "cancelled"): ("cancel", Side.CITY),
    ("accepted", "cancelled"): ("cancel", Side.CITY),
}


def test_the_table_knows_exactly_the_states_of_the_model() -> None:
    assert set(STATES) == set(ReferralStatus.values)


def test_the_allowed_pairs_are_exactly_the_documented_steps() -> None:
    assert set(EXPECTED_STEPS) == ALLOWED


@pytest.mark.parametrize(("pair", "step"), EXPECTED_STEPS.items(), ids=lambda v: str(v))
def test_each_allowed_step_is_taken_by_its_side_only(
    pair: tuple[str, str], step: tuple[str, Side]
) -> None:
    source, target = pair
    action, side = step
    assert check(action, source, side, reason="full") == target
    for other in set(Side) - {side}:
        with pytest.raises(TransitionRefused) as refused:
            check(action, source, other, reason="full")
        assert refused.value.code == "side"


@pytest.mark.parametrize(
    ("action", "source"),
    [
        (action, source)
        for action, source in itertools.product(STEPS, STATES)
        if source not in STEPS[action].sources
    ],
)
def test_every_other_step_is_refused_from_every_other_state(action: str, source: str) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check(action, source, STEPS[action].side, reason="full")
    assert refused.value.code == "state"


def test_declining_needs_a_reason() -> None:
    with pytest.raises(TransitionRefused) as refused:
        check("decline", "sent", Side.PROVIDER)
    assert refused.value.code == "reason"


def test_declined_expired_completed_dropped_out_and_cancelled_are_final() -> None:
    assert {"declined", "expired", "completed", "dropped_out", "cancelled"} == FINAL
    assert all(actions_from(state, side) == [] for state in FINAL for side in Side)


def test_the_provider_may_accept_or_decline_a_sent_referral_and_the_city_cancel_it() -> None:
    assert actions_from("sent", Side.PROVIDER) == ["accept", "decline"]
    assert actions_from("sent", Side.CITY) == ["cancel"]
    assert actions_from("sent", Side.SYSTEM) == ["expire"]

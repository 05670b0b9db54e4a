"""The referral state machine as a table: which step leads from which state to which,
and which side takes it. Pure (no Django import): the services check every change here,
the tests walk the whole table.

    proposed -> sent -> accepted -> started -> completed | dropped_out
                     -> declined (coded reason)
                     -> expired (nobody answered in time)
    proposed | sent | accepted -> cancelled (the city withdraws)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PROPOSED = "proposed"
SENT = "sent"
ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"
STARTED = "started"
COMPLETED = "completed"
DROPPED_OUT = "dropped_out"
CANCELLED = "cancelled"

STATES: tuple[str, ...] = (
    PROPOSED,
    SENT,
    ACCEPTED,
    DECLINED,
    EXPIRED,
    STARTED,
    COMPLETED,
    DROPPED_OUT,
    CANCELLED,
)


class Side(StrEnum):
    """Who takes a step: the city side (coordinator, case worker), the staff of the
    offer's provider, or the platform itself (expiry)."""

    CITY = "city"
    PROVIDER = "provider"
    SYSTEM = "system"


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str
    side: Side
    needs_reason: bool = False


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step("send", frozenset({PROPOSED}), SENT, Side.CITY),
        Step("accept", frozenset({SENT}), ACCEPTED, Side.PROVIDER),
        Step("decline", frozenset({SENT}), DECLINED, Side.PROVIDER, needs_reason=True),
        Step("expire", frozenset({SENT}), EXPIRED, Side.SYSTEM),
        Step("start", frozenset({ACCEPTED}), STARTED, Side.PROVIDER),
        Step("complete", frozenset({STARTED}), COMPLETED, Side.PROVIDER),
        Step("drop_out", frozenset({STARTED}), DROPPED_OUT, Side.PROVIDER),
        Step("cancel", frozenset({PROPOSED, SENT, ACCEPTED}), CANCELLED, Side.CITY),
    )
}

# Every allowed (from, to) pair; nothing else may ever happen to a referral.
ALLOWED: frozenset[tuple[str, str]] = frozenset(
    (source, step.target) for step in STEPS.values() for source in step.sources
)

# States from which nothing follows.
FINAL: frozenset[str] = frozenset(
    state for state in STATES if not any(state in s.sources for s in STEPS.values())
)


class TransitionRefused(Exception):
    """A step that the table does not allow: wrong state, wrong side, missing reason.
    ``code`` says which (``state``, ``side``, ``reason``)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def check(action: str, current: str, side: Side, *, reason: str = "") -> str:
    """The state ``action`` leads to from ``current`` when ``side`` takes it; or
    TransitionRefused. Unknown actions are a programming error (KeyError)."""
    step = STEPS[action]
    if current not in step.sources:
        raise TransitionRefused(f"{action} is not possible from {current}", "state")
    if side is not step.side:
        raise TransitionRefused(f"{action} is for the {step.side} side, not {side}", "side")
    if step.needs_reason and not reason:
        raise TransitionRefused(f"{action} needs a reason", "reason")
    return step.target


def actions_from(current: str, side: Side) -> list[str]:
    """The steps ``side`` may take on a referral in state ``current`` (for buttons)."""
    return [a for a, s in STEPS.items() if current in s.sources and s.side is side]

"""Request and response shapes of a person's next steps (part of the OpenAPI
description), and the one JSON body both ``GET /api/persons/{id}/next-steps`` and
``doconnect pathways next-steps --format json`` answer with."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema, field_validator

from doconnect.pathways.engine.inputs import GOAL_DESTINATIONS
from doconnect.pathways.next_steps import PersonNextSteps

GOALS_IN_WORDS = ", ".join(sorted(GOAL_DESTINATIONS))
DEFAULT_LIMIT = 10


# The goals as an enum in the document: a client (and schemathesis) sends only these.
GoalCode = Annotated[str, WithJsonSchema({"type": "string", "enum": sorted(GOAL_DESTINATIONS)})]


class NextStepsQuery(Schema):
    goal: GoalCode | None = Field(
        None,
        description=f"the goal destination ({GOALS_IN_WORDS}); "
        "default: the goal the person stated, else any goal",
    )
    why_not: bool = Field(False, description="also list the excluded offers and why")
    limit: int = Field(DEFAULT_LIMIT, ge=0, description="steps shown")

    @field_validator("goal")
    @classmethod
    def _known_goal(cls, goal: str | None) -> str | None:
        # Checked before the person is read, as the command's choices are.
        if goal is not None and goal not in GOAL_DESTINATIONS:
            raise ValueError(f"unknown goal {goal!r}; expected one of {GOALS_IN_WORDS}")
        return goal


class FactorOut(Schema):
    factor: str = Field(description="which factor, e.g. goal, free_places, proximity")
    text: str = Field(description="the factor in an English sentence")


class NextStepOut(Schema):
    rank: int
    offer: str = Field(description="external id of the offer")
    title: str
    leads_to_goal: bool
    goal: str | None = Field(description="the goal destination the offer leads to")
    steps_to_goal: int | None
    free_places: int | None = Field(description="null: capacity unknown")
    proximity: str = Field(description="same, city_wide, neighbouring, other or unknown")
    outcome: str = Field(description="how participants fared: good, too_few or poor")
    factors: list[FactorOut]


class ExcludedOfferOut(Schema):
    offer: str = Field(description="external id of the offer")
    title: str
    why_not: list[FactorOut]


class NextStepsOut(Schema):
    person: str = Field(description="public id of the person")
    goal: str | None = Field(description="the goal asked for; null: none given")
    order: list[str] = Field(description="the order of the ranking, in words")
    steps: list[NextStepOut] = Field(description="the ranked offers, best first")
    excluded: list[ExcludedOfferOut] = Field(
        description="offers that fail a rule, with why (only with why_not)"
    )


def next_steps_body(
    public_id: str, goal: str | None, found: PersonNextSteps, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    """The answer (``NextStepsOut``): the person, the goal asked for and the first
    ``limit`` ranked steps."""
    data = found.to_dict()
    data["steps"] = data["steps"][: max(limit, 0)]
    return {"person": public_id, "goal": goal, **data}

"""What the pathways engine reads: offers (with their status, district, target groups,
ages, legal branches and places), follow-on links to other offers or to destinations,
the outcomes of leavers, and the settings of one analysis. Terms follow the glossary:
an *offer* leads via *follow-ons* to other offers or to a *destination*; some
destinations are *goals*. Pure, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ACTIVE = "active"
SUSPENDED = "suspended"
ENDED = "ended"
STATUSES = (ACTIVE, SUSPENDED, ENDED)
LOW_THRESHOLD = "low_threshold"
DESTINATIONS = ("employment", "apprenticeship", "higher_education", "self_employment", "school")
GOAL_DESTINATIONS = frozenset(
    {"employment", "apprenticeship", "higher_education", "self_employment"}
)
DESTINATION_PREFIX = "destination:"
# Stranded offers named per single bridge; the count is always complete.
LISTED_STRANDED = 50


class PathwayError(ValueError):
    """The input cannot form an offer landscape (duplicate ids, unknown status …)."""


class UnknownOfferError(PathwayError):
    """A follow-on (or an outcome) names an offer that is not in the catalogue."""

    def __init__(self, message: str, from_offer: str, target: str) -> None:
        super().__init__(message)
        self.from_offer = from_offer
        self.target = target


@dataclass(frozen=True, slots=True)
class Offer:
    """One offer as the engine sees it. ``district`` ``None`` means city-wide, and empty
    ``target_groups`` means open to every target group."""

    id: str
    kind: str
    status: str = ACTIVE
    district: str | None = None
    target_groups: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    legal_branches: tuple[str, ...] = ()
    capacity: int | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise PathwayError(
                f"offer {self.id!r} has status {self.status!r}; expected one of "
                + ", ".join(STATUSES)
            )

    @property
    def low_threshold(self) -> bool:
        return self.kind == LOW_THRESHOLD

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True, slots=True)
class FollowOn:
    """A follow-on link: from an offer to another offer or to a destination (exactly one)."""

    from_offer: str
    to_offer: str | None = None
    destination: str | None = None

    def __post_init__(self) -> None:
        if (self.to_offer is None) == (self.destination is None):
            raise PathwayError(
                f"follow-on from {self.from_offer!r} needs exactly one of an offer or a destination"
            )

    @classmethod
    def parse(cls, from_offer: str, reference: str) -> FollowOn:
        """From the catalogue notation: an offer id or ``destination:<name>``."""
        if reference.startswith(DESTINATION_PREFIX):
            return cls(from_offer, destination=reference.removeprefix(DESTINATION_PREFIX))
        return cls(from_offer, to_offer=reference)

    @property
    def reference(self) -> str:
        return (
            self.to_offer
            if self.to_offer is not None
            else f"{DESTINATION_PREFIX}{self.destination}"
        )


@dataclass(frozen=True, slots=True)
class LeaverOutcome:
    """One participant leaving an offer, and whether they reached a goal destination within
    6 and 12 months (``None`` while that horizon has not yet passed or is unknown)."""

    offer: str
    left_on: date
    goal_within_6m: bool | None
    goal_within_12m: bool | None


@dataclass(frozen=True)
class PathwayConfig:
    """Settings of one analysis. ``districts`` and ``target_groups`` widen the gap table
    beyond those the offers mention (a district without any offer is the worst gap)."""

    goals: frozenset[str] = GOAL_DESTINATIONS
    districts: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    bottleneck_ratio: float = 0.5
    # Spread each feeding offer's places evenly over its onward links: we do not know
    # how participants choose, and counting all of them at every follow-on would flag
    # every offer behind a well-connected one.
    bottleneck_split_inflow: bool = True
    min_share_6m: float = 0.2
    min_share_12m: float = 0.3
    min_leavers: int = 5
    listed_stranded: int = LISTED_STRANDED

    def __post_init__(self) -> None:
        if not self.goals:
            raise PathwayError("at least one goal destination is needed")
        if self.min_leavers < 1:
            raise PathwayError("min_leavers must be at least 1")

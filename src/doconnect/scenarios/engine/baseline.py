"""The city a scenario changes, as the scenario engine reads it: offers with their
provider, places and funding lines, the follow-on links between them, the demand cells
(persons of a target group in a district needing an offer of a kind) and the names the
sentences use; and its canonical JSON form and digest. Pure, no Django."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from doconnect.pathways.engine import inputs as pathways


@dataclass(frozen=True, slots=True)
class FundingLine:
    funder: str
    amount_eur: float
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class ScenarioOffer:
    """An offer as the scenario sees it. ``district`` None: city-wide; no
    ``target_groups``: open to everybody; ``capacity`` None: unknown."""

    id: str
    provider: str
    kind: str
    status: str = pathways.ACTIVE
    district: str | None = None
    target_groups: tuple[str, ...] = ()
    capacity: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    funding: tuple[FundingLine, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == pathways.ACTIVE

    @classmethod
    def of(
        cls, offer: pathways.Offer, *, provider: str, funding: Iterable[FundingLine] = ()
    ) -> ScenarioOffer:
        """An offer of the pathways landscape with its provider and funding lines."""
        return cls(
            id=offer.id,
            provider=provider,
            kind=offer.kind,
            status=offer.status,
            district=offer.district,
            target_groups=offer.target_groups,
            capacity=offer.capacity,
            min_age=offer.min_age,
            max_age=offer.max_age,
            funding=tuple(funding),
        )


@dataclass(frozen=True, slots=True)
class DemandCell:
    """How many persons of a target group in a district need an offer of a kind."""

    target_group: str
    district: str
    offer_kind: str
    persons: int


@dataclass(frozen=True)
class ScenarioInputs:
    """The city as the scenario needs it: offers with funding lines, follow-on links,
    demand cells, and the names of districts and target groups (code → name) for the
    sentences."""

    offers: tuple[ScenarioOffer, ...]
    links: tuple[pathways.FollowOn, ...] = ()
    demand: tuple[DemandCell, ...] = ()
    districts: tuple[str, ...] = ()
    target_groups: Mapping[str, str] = field(default_factory=dict)
    offer_kinds: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON form (sorted), of which ``digest`` is the sha256: offers as
        rows of ``OFFER_COLUMNS``, funding lines as [funder, amount, start, end]."""
        return {
            "offer_columns": list(OFFER_COLUMNS),
            "offers": [
                [
                    o.id,
                    o.provider,
                    o.kind,
                    o.status,
                    o.district,
                    sorted(o.target_groups),
                    o.capacity,
                    o.min_age,
                    o.max_age,
                    sorted(
                        (f.funder, f.amount_eur, f.start.isoformat(), f.end.isoformat())
                        for f in o.funding
                    ),
                ]
                for o in sorted(self.offers, key=_offer_id)
            ],
            "links": sorted((link.from_offer, link.reference) for link in self.links),
            "demand": sorted(
                (c.target_group, c.district, c.offer_kind, c.persons) for c in self.demand
            ),
            "districts": sorted(self.districts),
            "target_groups": dict(sorted(self.target_groups.items())),
            "offer_kinds": dict(sorted(self.offer_kinds.items())),
        }

    def digest(self) -> str:
        text = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


OFFER_COLUMNS = (
    "id",
    "provider",
    "kind",
    "status",
    "district",
    "target_groups",
    "capacity",
    "min_age",
    "max_age",
    "funding",
)


def _offer_id(offer: ScenarioOffer) -> str:
    return offer.id

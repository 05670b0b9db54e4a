"""Whether an offer fits a person, factor by factor: the eligibility rules (age, legal
branch, target groups), how near the offer is (same, neighbouring or another district,
or city-wide) and whether and in how many steps it leads to the person's goal. Each
factor is a :class:`Factor`: a plain English sentence and a stable code with params
(``FACTOR_CODES``, also the codes of the next steps' outcome and "why not" factors), so
a user interface can say the same in its own words. Shared by the next steps
(``next_steps``) and the allocation (``allocation/engine/city.py``). Pure, no Django."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from doconnect.pathways.engine.inputs import Offer
from doconnect.pathways.engine.report import Distances, ReasonParam

SAME_DISTRICT = "same"
CITY_WIDE = "city_wide"
NEIGHBOURING = "neighbouring"
OTHER_DISTRICT = "other"
UNKNOWN_DISTRICT = "unknown"

_SHARES = ("reached_6m", "known_6m", "reached_12m", "known_12m")

# Stable codes of the factors (``Factor.code``) with their params. The English ``text``
# is for the CLI and JSON; a user interface renders the code and params in its language.
FACTOR_CODES: dict[str, tuple[str, ...]] = {
    # goal
    "leads_to_goal": ("goal", "steps"),
    "other_goals_only": ("goal",),
    # free places
    "free_places": ("count",),
    "free_places_unknown": (),
    # proximity
    "same_district": ("district",),
    "city_wide": (),
    "neighbouring_district": ("district",),
    "other_district": ("district",),
    "district_unknown": ("district",),
    # eligibility (min_age / max_age: None when open)
    "no_age_limit": (),
    "age_unknown": ("min_age", "max_age"),
    "age_fits": ("age", "min_age", "max_age"),
    "age_outside": ("age", "min_age", "max_age"),
    "all_legal_branches": (),
    "legal_branch_accepted": ("branch",),
    "legal_branch_not_accepted": ("branch", "accepted"),
    "target_group_open": (),
    "target_group_shared": ("groups",),
    "target_group_other": ("groups",),
    # observed outcomes (a horizon's reached/known are None when not judged)
    "no_leavers": (),
    "too_few_leavers": ("leavers", "min_leavers"),
    # all leavers of the offer; ``comparison`` says why not only similar ones
    # (SIMILAR_TOO_FEW / AGE_UNKNOWN / NOT_COMPARED), ``age_band`` / ``similar_groups``
    # describe the too small comparison group (None / () otherwise)
    "outcome_good": (*_SHARES, "comparison", "age_band", "similar_groups"),
    "outcome_poor": (*_SHARES, "comparison", "age_band", "similar_groups"),
    # leavers like the person: same age band at leaving, sharing a target group
    # (``similar_groups``: the person's target groups; () means age band only)
    "outcome_similar_good": (*_SHARES, "age_band", "similar_groups"),
    "outcome_similar_poor": (*_SHARES, "age_band", "similar_groups"),
    # why not
    "offer_closed": ("status",),
    "already_taken": (),
    "no_free_place": (),
    "dead_end": (),
}


@dataclass(frozen=True)
class PersonFacts:
    """What the ranking knows of a person. ``age`` and ``district`` may be unknown;
    ``goal`` None means any goal destination; ``done`` are offers they took part in."""

    age: int | None = None
    legal_branch: str | None = None
    target_groups: frozenset[str] = frozenset()
    district: str | None = None
    goal: str | None = None
    done: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Factor:
    """One factor of a ranking or an exclusion: which factor (``name``), a plain English
    sentence (``text``), and the stable ``code`` of that sentence (see ``FACTOR_CODES``)
    with its ``params`` for rendering it in another language."""

    name: str
    text: str
    code: str
    params: Mapping[str, ReasonParam] = field(default_factory=dict, hash=False)


def _age_range(offer: Offer) -> str:
    if offer.min_age is not None and offer.max_age is not None:
        return f"{offer.min_age}–{offer.max_age}"
    if offer.min_age is not None:
        return f"{offer.min_age} or older"
    return f"up to {offer.max_age}"


def eligibility(
    person: PersonFacts, offer: Offer, *, why: bool = True
) -> tuple[list[Factor], list[Factor]]:
    """(reasons why the person is eligible, reasons why not); with ``why=False`` the
    first list stays empty (for ranking many offers, most of which are not taken: the
    reasons why an offer fits are written only for those that are)."""
    ok: list[Factor] = []
    not_ok: list[Factor] = []
    ages: dict[str, ReasonParam] = {"min_age": offer.min_age, "max_age": offer.max_age}
    if offer.min_age is None and offer.max_age is None:
        if why:
            ok.append(Factor("age", "no age limit / keine Altersgrenze", "no_age_limit"))
    elif person.age is None:
        if why:
            ok.append(
                Factor(
                    "age",
                    f"age unknown: offer is for ages {_age_range(offer)}, check",
                    "age_unknown",
                    ages,
                )
            )
    elif (offer.min_age is None or person.age >= offer.min_age) and (
        offer.max_age is None or person.age <= offer.max_age
    ):
        if why:
            ok.append(
                Factor(
                    "age",
                    f"age {person.age} fits {_age_range(offer)}",
                    "age_fits",
                    {"age": person.age, **ages},
                )
            )
    else:
        not_ok.append(
            Factor(
                "age",
                f"age {person.age} outside {_age_range(offer)}",
                "age_outside",
                {"age": person.age, **ages},
            )
        )
    if not offer.legal_branches:
        if why:
            ok.append(
                Factor(
                    "legal_branch",
                    "open to every legal branch / alle Rechtskreise",
                    "all_legal_branches",
                )
            )
    elif person.legal_branch in offer.legal_branches:
        if why:
            ok.append(
                Factor(
                    "legal_branch",
                    f"legal branch {person.legal_branch} accepted",
                    "legal_branch_accepted",
                    {"branch": person.legal_branch},
                )
            )
    else:
        branch = person.legal_branch or "none"
        not_ok.append(
            Factor(
                "legal_branch",
                f"legal branch {branch} not accepted (only {', '.join(offer.legal_branches)})",
                "legal_branch_not_accepted",
                {"branch": person.legal_branch, "accepted": tuple(offer.legal_branches)},
            )
        )
    if not offer.target_groups:
        if why:
            ok.append(
                Factor(
                    "target_group",
                    "open to every target group / alle Zielgruppen",
                    "target_group_open",
                )
            )
    else:
        shared = sorted(person.target_groups & set(offer.target_groups))
        if shared:
            if why:
                ok.append(
                    Factor(
                        "target_group",
                        f"target group {', '.join(shared)}",
                        "target_group_shared",
                        {"groups": tuple(shared)},
                    )
                )
        else:
            groups = tuple(sorted(offer.target_groups))
            not_ok.append(
                Factor(
                    "target_group",
                    f"for target groups {', '.join(groups)} only",
                    "target_group_other",
                    {"groups": groups},
                )
            )
    return ok, not_ok


def proximity(person: PersonFacts, offer: Offer, neighbours: Mapping[str, Collection[str]]) -> str:
    if offer.district is None:
        return CITY_WIDE
    if person.district is None:
        return UNKNOWN_DISTRICT
    if offer.district == person.district:
        return SAME_DISTRICT
    if offer.district in neighbours.get(person.district, ()):
        return NEIGHBOURING
    return OTHER_DISTRICT


_PROXIMITY_CODE = {
    SAME_DISTRICT: "same_district",
    CITY_WIDE: "city_wide",
    NEIGHBOURING: "neighbouring_district",
    OTHER_DISTRICT: "other_district",
    UNKNOWN_DISTRICT: "district_unknown",
}


def proximity_factor(proximity: str, offer: Offer) -> Factor:
    text = {
        SAME_DISTRICT: f"in the person's district {offer.district}",
        CITY_WIDE: "city-wide / stadtweit",
        NEIGHBOURING: f"in the neighbouring district {offer.district}",
        OTHER_DISTRICT: f"in {offer.district}, not near the person's district",
        UNKNOWN_DISTRICT: f"in {offer.district} (the person's district is unknown)",
    }[proximity]
    params: dict[str, ReasonParam] = {} if proximity == CITY_WIDE else {"district": offer.district}
    return Factor("district", text, _PROXIMITY_CODE[proximity], params)


def route(
    offer: str, goal: str | None, distances: Distances
) -> tuple[bool, bool, int | None, str | None]:
    """(reaches any goal, reaches the wanted goal, steps, which goal)."""
    reachable = distances.for_offer(offer)
    if not reachable:
        return False, False, None, None
    if goal is not None:
        steps = reachable.get(goal)
        return True, steps is not None, steps, goal
    nearest = min(reachable, key=lambda g: (reachable[g], g))
    return True, True, reachable[nearest], nearest

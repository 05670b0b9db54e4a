"""The city's allocation: weights on record, the open demand from the database, one run
stored with its inputs' digest and proposed referrals.

The engine (``doconnect.allocation.engine``) is pure; this module only feeds it and stores
what it decided. Who may run an allocation is the caller's check (``may_allocate``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.allocation.engine.city import CostRules, PriorityWeights, Waiting, city_problem
from doconnect.allocation.engine.greedy import greedy
from doconnect.allocation.engine.optimal import solve
from doconnect.allocation.engine.problem import AllocationProblem
from doconnect.allocation.engine.result import REASONS, Allocation, advantage
from doconnect.allocation.models import AllocationOutcome, AllocationRun, PriorityWeightSet
from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.offers.models import Destination, Offer
from doconnect.offers.participation import in_active_support
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.districts import DORTMUND_NEIGHBOURS
from doconnect.pathways.engine.fit import PersonFacts
from doconnect.pathways.engine.inputs import PathwayConfig
from doconnect.pathways.services import free_places_from_db, landscape_from_db
from doconnect.people.models import Person, Spell, SpellState, VocationalQualification
from doconnect.referrals.models import Referral, ReferralStatus
from doconnect.referrals.services import (
    OPEN_STATUSES,
    referral_cancel,
    referral_create,
    referral_send,
)

# Persons waiting for a place: a running spell in one of these states, not taking part in
# an offer, no open referral.
WAITING_STATES = (SpellState.UNEMPLOYED, SpellState.INACTIVE)
APPRENTICESHIP_AGE_LIMIT = 25

Progress = Callable[[str], None]
DEFAULT_RULES = CostRules()


def may_allocate(viewer: Viewer) -> bool:
    """Allocation is the city's coordination task."""
    return viewer.has_role(Role.COORDINATOR)


@transaction.atomic
def priority_weights_record(
    *,
    target_groups: Mapping[str, int],
    support_needs: Mapping[str, int],
    note: str,
    recorded_by: User | None,
) -> PriorityWeightSet:
    """Record a new set of weights (the previous ones stay on record)."""
    return PriorityWeightSet.objects.create(
        target_groups={k: int(v) for k, v in sorted(target_groups.items()) if int(v)},
        support_needs={k: int(v) for k, v in sorted(support_needs.items()) if int(v)},
        note=note,
        recorded_by=recorded_by,
    )


def current_priority_weights() -> PriorityWeightSet | None:
    return PriorityWeightSet.objects.first()


def known_support_needs() -> list[str]:
    """Every support need recorded for a person or weighted before, sorted."""
    needs: set[str] = set()
    for listed in (
        Person.objects.exclude(support_needs=[]).values_list("support_needs", flat=True).distinct()
    ):
        needs.update(listed or ())
    current = current_priority_weights()
    if current is not None:
        needs.update(current.support_needs)
    return sorted(needs, key=str.casefold)


@dataclass(frozen=True)
class Scope:
    """Which part of the open demand and supply a run looks at (empty: all)."""

    district: str = ""  # district name
    target_group: str = ""  # code
    kinds: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "district": self.district,
            "target_group": self.target_group,
            "kinds": list(self.kinds),
        }


def default_goal(age: int | None, vocational: str) -> str:
    """The goal a run assumes for a person who stated none: an apprenticeship for the
    young without a vocational qualification, employment for everybody else."""
    young = age is not None and age < APPRENTICESHIP_AGE_LIMIT
    without = vocational in (VocationalQualification.NONE, VocationalQualification.UNKNOWN)
    return Destination.APPRENTICESHIP if young and without else Destination.EMPLOYMENT


def waiting_persons(
    day: dt.date, scope: Scope, *, with_open_referrals: bool = False
) -> list[Waiting]:
    """The open demand on ``day`` in a fixed number of queries.

    An allocation leaves out persons with an open referral (they are being placed; a
    second proposal would double-book them). Who asks how many places the city needs —
    the scenarios — passes ``with_open_referrals=True``: a proposed, sent or accepted
    referral is not yet a place, so the person still needs one."""
    running = Spell.objects.filter(
        Q(end__isnull=True) | Q(end__gte=day), start__lte=day, state__in=WAITING_STATES
    )
    persons = Person.objects.filter(pk__in=running.values("person_id"))
    if not with_open_referrals:
        persons = persons.exclude(
            pk__in=Referral.objects.filter(status__in=OPEN_STATUSES).values("person_id")
        )
    persons = persons.exclude(pk__in=in_active_support(Person.objects.all(), day).values("pk"))
    if scope.district:
        persons = persons.filter(district__name=scope.district)
    if scope.target_group:
        persons = persons.filter(target_groups__code=scope.target_group)
    rows = list(
        persons.order_by("public_id").values_list(
            "pk",
            "public_id",
            "birth_year",
            "legal_branch",
            "district__name",
            "vocational_qualification",
            "support_needs",
            "goal",
            "preferred_offer_kinds",
        )
    )
    ids = [row[0] for row in rows]
    groups: dict[int, set[str]] = defaultdict(set)
    for pk, code in Person.target_groups.through.objects.filter(person_id__in=ids).values_list(
        "person_id", "targetgroup__code"
    ):
        groups[pk].add(code)
    done: dict[int, set[str]] = defaultdict(set)
    for pk, offer in Spell.objects.filter(person_id__in=ids, offer__isnull=False).values_list(
        "person_id", "offer__external_id"
    ):
        done[pk].add(offer)
    waiting = []
    for pk, public_id, birth_year, branch, district, vocational, needs, goal, kinds in rows:
        age = day.year - birth_year if birth_year else None
        waiting.append(
            Waiting(
                id=public_id,
                facts=PersonFacts(
                    age=age,
                    legal_branch=branch,
                    target_groups=frozenset(groups.get(pk, ())),
                    district=district,
                    goal=goal or default_goal(age, vocational),
                    done=frozenset(done.get(pk, ())),
                ),
                support_needs=tuple(needs or ()),
                preferred_kinds=tuple(kinds or ()),
            )
        )
    return waiting


@dataclass(frozen=True)
class CityInputs:
    waiting: list[Waiting]
    problem: AllocationProblem
    weights: PriorityWeightSet | None

    @property
    def digest(self) -> str:
        """sha256 of everything the solver sees, so two runs on the same inputs can be
        recognised."""
        h = hashlib.sha256()
        p = self.problem
        h.update(json.dumps([list(p.person_ids), list(p.place_ids)]).encode())
        for array in (p.priority, p.capacity, p.pair_person, p.pair_place, p.pair_cost):
            h.update(array.tobytes())
        return h.hexdigest()


def city_inputs(day: dt.date, scope: Scope, rules: CostRules) -> CityInputs:
    weights = current_priority_weights()
    offers, links = landscape_from_db()
    # Routes to a goal run through the whole landscape; the scope only chooses the places.
    report = analyse_pathways(offers, links, PathwayConfig(), [])
    places = [
        o
        for o in offers
        if (not scope.kinds or o.kind in scope.kinds)
        and (not scope.district or o.district in (None, scope.district))
    ]
    waiting = waiting_persons(day, scope)
    problem = city_problem(
        waiting,
        places,
        free_places=free_places_from_db(day),
        distances=report.distances,
        neighbours=DORTMUND_NEIGHBOURS,
        weights=PriorityWeights(
            target_groups=weights.target_groups if weights else {},
            support_needs=weights.support_needs if weights else {},
        ),
        rules=rules,
    )
    return CityInputs(waiting=waiting, problem=problem, weights=weights)


def allocation_run(
    *,
    started_by: User | None,
    scope: Scope,
    rules: CostRules = DEFAULT_RULES,
    day: dt.date | None = None,
    propose: bool = True,
    progress: Progress | None = None,
) -> AllocationRun:
    """Solve the city's allocation for ``scope`` and store the run, one outcome per
    waiting person and (with ``propose``) a proposed referral per placed person, for a
    coordinator to review and send.

    Reading and solving happen outside a transaction (a background job reports its
    progress meanwhile); storing is all or nothing. A person who got an open referral
    between reading and storing keeps the run's outcome but gets no second proposal."""
    say = progress or (lambda _phase: None)
    day = day or timezone.localdate()
    say("reading")
    inputs = city_inputs(day, scope, rules)
    say("solving")
    optimum = solve(inputs.problem)
    baseline = greedy(inputs.problem)
    say("storing")
    return _store_run(
        inputs,
        optimum,
        baseline,
        started_by=started_by,
        scope=scope,
        rules=rules,
        day=day,
        propose=propose,
    )


@transaction.atomic
def _store_run(
    inputs: CityInputs,
    optimum: Allocation,
    baseline: Allocation,
    *,
    started_by: User | None,
    scope: Scope,
    rules: CostRules,
    day: dt.date,
    propose: bool,
) -> AllocationRun:
    problem = inputs.problem
    persons = dict(
        Person.objects.filter(public_id__in=problem.person_ids).values_list("public_id", "pk")
    )
    taken_meanwhile = set(
        Referral.objects.filter(
            person_id__in=persons.values(), status__in=OPEN_STATUSES
        ).values_list("person_id", flat=True)
    )
    run = AllocationRun.objects.create(
        started_by=started_by,
        day=day,
        scope=scope.as_dict(),
        rules=rules.as_dict(),
        weights=inputs.weights,
        inputs_digest=inputs.digest,
        summary={
            "persons": problem.person_count,
            "places": int(problem.capacity.sum()),
            "candidates": problem.pair_count,
            **optimum.totals(),
            "unassigned_by_reason": optimum.reason_counts(),
            "greedy": baseline.totals(),
            "advantage_over_greedy": advantage(optimum, baseline),
            "not_proposed_changed_meanwhile": 0,
        },
    )
    offers = {o.external_id: o for o in Offer.objects.filter(external_id__in=problem.place_ids)}
    outcomes = []
    reasons = optimum.reason_codes
    skipped = 0
    for i, public_id in enumerate(problem.person_ids):
        facts = inputs.waiting[i]
        j = int(optimum.place[i])
        g = int(baseline.place[i])
        offer = offers[problem.place_ids[j]] if j >= 0 else None
        explanation = optimum.explain(i)
        referral = None
        if offer is not None and propose:
            if persons[public_id] in taken_meanwhile:
                skipped += 1
            else:
                referral = referral_create(
                    person=Person(pk=persons[public_id], public_id=public_id),
                    offer=offer,
                    created_by_id=started_by.pk if started_by is not None else None,
                )
        outcomes.append(
            AllocationOutcome(
                run=run,
                person_id=persons[public_id],
                district=facts.facts.district or "",
                target_groups=sorted(facts.facts.target_groups),
                support_needs=list(facts.support_needs),
                offer=offer,
                priority=int(problem.priority[i]),
                cost=explanation.cost,
                cost_parts=dict(explanation.cost_parts),
                reason=REASONS[int(reasons[i])],
                explanation={}
                if offer is not None
                else {
                    "candidates": explanation.candidates,
                    "zero_capacity_candidates": explanation.zero_capacity_candidates,
                    "places": [h.to_dict() for h in explanation.places],
                },
                greedy_offer=offers[problem.place_ids[g]] if g >= 0 else None,
                referral=referral,
            )
        )
    AllocationOutcome.objects.bulk_create(outcomes, batch_size=2000)
    if skipped:
        run.summary["not_proposed_changed_meanwhile"] = skipped
        run.save(update_fields=["summary"])
    return run


def _run_referrals(run: AllocationRun, status: str) -> list[Referral]:
    return list(
        Referral.objects.filter(allocation__run=run, status=status)
        .select_related("offer")
        .order_by("pk")
    )


def _check_confirmed(referrals: list[Referral], expected: int | None) -> None:
    """A bulk step does what its confirmation showed or nothing: when the proposals
    changed since (another coordinator sent some), the caller must confirm again."""
    if expected is not None and expected != len(referrals):
        raise ValidationError(
            _(
                "Die Vorschläge haben sich seit der Bestätigung geändert (jetzt %(now)d "
                "statt %(expected)d); nichts wurde ausgeführt. Bitte die Übersicht erneut "
                "prüfen."
            )
            % {"now": len(referrals), "expected": expected},
            code="changed",
        )


@transaction.atomic
def allocation_send(*, run: AllocationRun, actor: User, expected: int | None = None) -> int:
    """Send every referral the run proposed that is still proposed: one step for the
    whole run, all or nothing. ``expected``: how many the actor confirmed; another
    number refuses (ValidationError, code ``changed``). Returns how many were sent."""
    referrals = _run_referrals(run, ReferralStatus.PROPOSED)
    _check_confirmed(referrals, expected)
    for referral in referrals:
        referral_send(referral=referral, actor=actor, note=_note(run))
    return len(referrals)


@transaction.atomic
def allocation_withdraw(*, run: AllocationRun, actor: User, expected: int | None = None) -> int:
    """Withdraw (cancel) every referral the run proposed that is still proposed;
    ``expected`` as for ``allocation_send``."""
    referrals = _run_referrals(run, ReferralStatus.PROPOSED)
    _check_confirmed(referrals, expected)
    for referral in referrals:
        referral_cancel(referral=referral, actor=actor, note=_note(run))
    return len(referrals)


def _note(run: AllocationRun) -> str:
    return _("Zuteilungslauf %(run)d") % {"run": run.pk}

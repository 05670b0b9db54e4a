"""Reading stored allocation runs for the review page: the run for this viewer or a
refusal, its outcomes filtered, the figures by target group and district, and the
proposals per provider a bulk step would touch."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from doconnect.allocation.engine.result import ASSIGNED, CAPACITY_TAKEN, NO_CANDIDATE
from doconnect.allocation.models import AllocationOutcome, AllocationRun
from doconnect.allocation.services import may_allocate
from doconnect.core.models import TargetGroup
from doconnect.core.viewers import Viewer
from doconnect.referrals.models import Referral, ReferralStatus

PLACED = "placed"
UNPLACED = "unplaced"


def run_for_viewer(viewer: Viewer, pk: int) -> AllocationRun:
    """The run, for a coordinator; 403 for anybody else, 404 for an unknown run."""
    if not may_allocate(viewer):
        raise PermissionDenied
    run = AllocationRun.objects.select_related("started_by", "weights").filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def run_outcomes(
    run: AllocationRun, *, placed: str = "", district: str = "", target_group: str = ""
) -> QuerySet[AllocationOutcome]:
    outcomes = run.outcomes.select_related("person", "offer", "greedy_offer", "referral")
    if placed == PLACED:
        outcomes = outcomes.filter(offer__isnull=False)
    elif placed == UNPLACED:
        outcomes = outcomes.filter(offer__isnull=True)
    if district:
        outcomes = outcomes.filter(district=district)
    if target_group:
        # JSON containment is not on SQLite; the codes are stored sorted and quoted.
        outcomes = outcomes.filter(target_groups__icontains=f'"{target_group}"')
    return outcomes.order_by("-priority", "person__public_id")


@dataclass
class BreakdownRow:
    key: str
    label: str
    waiting: int = 0
    placed: int = 0
    greedy_placed: int = 0
    no_candidate: int = 0
    capacity_taken: int = 0

    @property
    def difference(self) -> int:
        return self.placed - self.greedy_placed


@dataclass(frozen=True)
class Breakdown:
    by_target_group: list[BreakdownRow]
    by_district: list[BreakdownRow]
    without_target_group: BreakdownRow


def run_breakdown(run: AllocationRun) -> Breakdown:
    """Waiting, placed (optimum and first come first served) and unplaced by reason, per
    target group (a person in two groups counts in both) and per district. Two queries."""
    labels = TargetGroup.labels()
    groups: dict[str, BreakdownRow] = {}
    districts: dict[str, BreakdownRow] = {}
    none = BreakdownRow(key="", label="")
    rows = run.outcomes.values_list("district", "target_groups", "reason", "greedy_offer_id")
    for district, codes, reason, greedy_offer in rows:
        targets = [
            groups.setdefault(code, BreakdownRow(key=code, label=labels.get(code, code)))
            for code in codes
        ] or [none]
        targets.append(districts.setdefault(district, BreakdownRow(key=district, label=district)))
        for row in targets:
            row.waiting += 1
            row.placed += reason == ASSIGNED
            row.greedy_placed += greedy_offer is not None
            row.no_candidate += reason == NO_CANDIDATE
            row.capacity_taken += reason == CAPACITY_TAKEN
    return Breakdown(
        by_target_group=sorted(groups.values(), key=lambda r: r.label),
        by_district=sorted(districts.values(), key=lambda r: (r.key == "", r.label)),
        without_target_group=none,
    )


def run_referral_counts(run: AllocationRun) -> dict[str, int]:
    """How many of the run's proposed referrals are in which status now."""
    counts = (
        run.outcomes.filter(referral__isnull=False)
        .values("referral__status")
        .annotate(n=Count("pk"))
        .values_list("referral__status", "n")
    )
    return dict(counts)


@dataclass(frozen=True)
class ProviderProposals:
    """What a bulk step on a run's proposals does to one provider."""

    provider: str
    offers: int
    referrals: int


def run_proposals_by_provider(run: AllocationRun) -> list[ProviderProposals]:
    """The run's referrals still proposed, counted per provider (most first): what
    "send all" or "discard all" would do, for the confirmation page. One query."""
    rows = (
        Referral.objects.filter(allocation__run=run, status=ReferralStatus.PROPOSED)
        .values("offer__provider__name")
        .annotate(referrals=Count("pk"), offers=Count("offer", distinct=True))
        .values_list("offer__provider__name", "offers", "referrals")
    )
    return sorted(
        (ProviderProposals(name, offers, referrals) for name, offers, referrals in rows),
        key=lambda p: (-p.referrals, p.provider.casefold()),
    )

"""The conference's two analyses, database side: build the plain inputs of the pure
engines (``forum.network``, ``forum.overlap``) from the stored data and call them.

Network: actors are the organisations with an actor profile and every organisation a
tie touches. Ties, one per piece of evidence (the engine adds them up):

- ``shared_offer``: the organisations of one active offer — its provider and the
  organisations paying for it this year (a funding line's funder kind stands for the
  first organisation of the matching kind with an actor profile, e.g. "Jobcenter" for
  the Jobcenter Dortmund; ESF, foundations and others are no organisation here) — each
  pair once per offer.
- ``referral``: a referral sent in the last ``REFERRAL_DAYS`` days from the sending
  organisation to the offer's provider. The sender is the organisation of the user who
  proposed it (coordinator or case worker); for referrals without one (imported, the
  demo), the organisation that reported the person's state on that day (the Jobcenter
  or the Agentur for the unemployed, a provider for a participant).
- ``agreement``: a commitment's owner and the organisation it was made to.
- ``session``: every pair of organisations at the same session.

Overlap: one fact per active programme (``forum.Programme``) and per active offer's
funding line of this year, for each target group × offer kind the programme or offer
serves (public funders named by their kind, as funding lines name them). Money and
places of one programme or line are split evenly over its cells, so
the matrix's totals are the real totals; none named means all target groups."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from doconnect.core.models import Membership, Organisation, OrganisationKind, Role, TargetGroup
from doconnect.forum.engine.network import NetworkActor, NetworkReport, Tie, analyse_network
from doconnect.forum.engine.overlap import OverlapReport, ProgrammeFact, programme_overlap
from doconnect.forum.models import ActorProfile, Commitment, Programme, SessionParticipant
from doconnect.offers.models import Funder, FundingLine, Offer, OfferKind, OfferStatus
from doconnect.people.models import Spell
from doconnect.referrals.models import Referral

REFERRAL_DAYS = 365
TIE_KINDS = ("shared_offer", "referral", "agreement", "session")

# A funding line's funder kind → the organisation kind that stands for it.
FUNDER_KINDS = {
    Funder.CITY: OrganisationKind.CITY,
    Funder.JOBCENTER: OrganisationKind.JOBCENTER,
    Funder.FEDERAL_AGENCY: OrganisationKind.FEDERAL_AGENCY,
    Funder.STATE: OrganisationKind.STATE,
}


@dataclass(frozen=True)
class NetworkInputs:
    actors: list[NetworkActor]
    ties: list[Tie]
    names: dict[str, str]  # external id → name


def funder_organisations() -> dict[str, Organisation]:
    """Funder kind → the organisation that stands for it (see the module docstring)."""
    by_kind: dict[str, Organisation] = {}
    candidates = (
        Organisation.objects.filter(kind__in=FUNDER_KINDS.values())
        .annotate(profiled=Exists(ActorProfile.objects.filter(organisation=OuterRef("pk"))))
        # Organisations with a profile first, then the oldest.
        .order_by("-profiled", "pk")
    )
    for organisation in candidates:
        by_kind.setdefault(organisation.kind, organisation)
    return {funder: by_kind[kind] for funder, kind in FUNDER_KINDS.items() if kind in by_kind}


def _running_offers(today: dt.date) -> Q:
    return (
        Q(status=OfferStatus.ACTIVE)
        & (Q(start__isnull=True) | Q(start__lte=today))
        & (Q(end__isnull=True) | Q(end__gte=today))
    )


def _shared_offer_ties(
    today: dt.date, funders: dict[str, Organisation]
) -> Iterable[tuple[int, int, str]]:
    orgs_by_offer: dict[int, set[int]] = defaultdict(set)
    for offer_id, provider_id in Offer.objects.filter(_running_offers(today)).values_list(
        "pk", "provider_id"
    ):
        orgs_by_offer[offer_id].add(provider_id)
    for offer_id, funder in FundingLine.objects.filter(
        offer_id__in=orgs_by_offer, start__lte=today, end__gte=today
    ).values_list("offer_id", "funder"):
        if funder in funders:
            orgs_by_offer[offer_id].add(funders[funder].pk)
    for orgs in orgs_by_offer.values():
        for a, b in itertools.combinations(sorted(orgs), 2):
            yield a, b, "shared_offer"


def _referral_ties(today: dt.date) -> Iterable[tuple[int, int, str]]:
    since = today - dt.timedelta(days=REFERRAL_DAYS)
    rows = list(
        Referral.objects.filter(sent_at__isnull=False, sent_at__date__gte=since).values_list(
            "person_id", "created_at", "offer__provider_id", "created_by_id"
        )
    )
    if not rows:
        return
    creator_org: dict[int, int] = {}
    for user_id, org_id in (
        Membership.objects.filter(
            user_id__in={r[3] for r in rows if r[3] is not None},
            role__in=(Role.COORDINATOR, Role.CASE_WORKER),
        )
        .order_by("-organisation_id")
        .values_list("user_id", "organisation_id")
    ):
        creator_org[user_id] = org_id  # the lowest organisation id wins
    spells: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    for person_id, start, end, org_id in Spell.objects.filter(
        person_id__in={r[0] for r in rows if r[3] not in creator_org},
        source_organisation__isnull=False,
        start__lte=today,
    ).values_list("person_id", "start", "end", "source_organisation_id"):
        spells[person_id].append((start, end, org_id))
    for person_id, created_at, provider_id, user_id in rows:
        sender = creator_org.get(user_id) if user_id is not None else None
        if sender is None:
            day = created_at.date()
            running = [
                (start, org)
                for start, end, org in spells.get(person_id, ())
                if start <= day and (end is None or end >= day) and org != provider_id
            ]
            sender = max(running)[1] if running else None
        if sender is not None and sender != provider_id:
            yield sender, provider_id, "referral"


def _agreement_ties() -> Iterable[tuple[int, int, str]]:
    for owner, to_whom in Commitment.objects.filter(to_whom__isnull=False).values_list(
        "owner_id", "to_whom_id"
    ):
        yield owner, to_whom, "agreement"


def _session_ties() -> Iterable[tuple[int, int, str]]:
    by_session: dict[int, list[int]] = defaultdict(list)
    for session_id, org_id in SessionParticipant.objects.values_list(
        "session_id", "organisation_id"
    ):
        by_session[session_id].append(org_id)
    for orgs in by_session.values():
        for a, b in itertools.combinations(sorted(orgs), 2):
            yield a, b, "session"


def network_inputs(today: dt.date) -> NetworkInputs:
    raw = [
        *_shared_offer_ties(today, funder_organisations()),
        *_referral_ties(today),
        *_agreement_ties(),
        *_session_ties(),
    ]
    involved = {a for a, _b, _k in raw} | {b for _a, b, _k in raw}
    organisations = list(
        Organisation.objects.filter(Q(actor_profile__isnull=False) | Q(pk__in=involved))
        .only("pk", "external_id", "name", "kind")
        .order_by("external_id")
    )
    key = {o.pk: o.external_id for o in organisations}
    actors = [NetworkActor(id=o.external_id, name=o.name, kind=o.kind) for o in organisations]
    ties = [Tie(a=key[a], b=key[b], kind=kind) for a, b, kind in raw]
    return NetworkInputs(
        actors=actors, ties=ties, names={o.external_id: o.name for o in organisations}
    )


def cooperation_network(
    *,
    today: dt.date,
    actor_kinds: Collection[str] | None = None,
    tie_kinds: Collection[str] | None = None,
) -> NetworkReport:
    inputs = network_inputs(today)
    return analyse_network(inputs.actors, inputs.ties, actor_kinds=actor_kinds, tie_kinds=tie_kinds)


# -- programme overlap ---------------------------------------------------------------


def _split(
    amount: float, places: int, groups: list[str], kinds: list[str]
) -> Iterable[tuple[str, str, float, int]]:
    cells = [(g, k) for g in groups for k in kinds]
    if not cells:
        return
    share, rest = divmod(places, len(cells))
    for index, (group, kind) in enumerate(cells):
        yield group, kind, amount / len(cells), share + (1 if index < rest else 0)


def _funder_label(organisation: Organisation) -> str:
    """A public funder by its kind, as funding lines name it ("Jobcenter", "Land"), so
    programmes and offers' funding meet in one name; any other by its name."""
    for funder, kind in FUNDER_KINDS.items():
        if organisation.kind == kind:
            return str(dict(Funder.choices)[funder])
    return organisation.name


def programme_facts(today: dt.date) -> tuple[list[ProgrammeFact], list[str], list[str]]:
    """The facts, and the target group and offer kind codes of the matrix (in order)."""
    groups = list(TargetGroup.objects.order_by("code").values_list("code", flat=True))
    kinds = [code for code, _label in OfferKind.choices]
    facts: list[ProgrammeFact] = []
    programmes = (
        Programme.objects.filter(start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .select_related("actor", "funder")
        .prefetch_related("target_groups")
        .order_by("pk")
    )
    for programme in programmes:
        own_groups = sorted(g.code for g in programme.target_groups.all()) or groups
        own_kinds = [k for k in programme.offer_kinds if k in kinds] or kinds
        for group, kind, money, places in _split(
            float(programme.budget_eur), programme.places or 0, own_groups, own_kinds
        ):
            facts.append(
                ProgrammeFact(
                    actor=programme.actor.name,
                    funder=_funder_label(programme.funder),
                    target_group=group,
                    offer_kind=kind,
                    budget_eur=money,
                    places=places,
                )
            )
    funder_labels = dict(Funder.choices)
    offers = {
        offer.pk: offer
        for offer in Offer.objects.filter(_running_offers(today))
        .select_related("provider")
        .prefetch_related("target_groups")
        .only("pk", "kind", "capacity", "provider__name")
    }
    lines = (
        FundingLine.objects.filter(offer_id__in=offers, start__lte=today, end__gte=today)
        .order_by("offer_id", "funder", "pk")
        .values_list("offer_id", "funder", "amount_eur")
    )
    lines_per_offer: dict[int, int] = defaultdict(int)
    materialised = list(lines)
    for offer_id, _funder, _amount in materialised:
        lines_per_offer[offer_id] += 1
    for offer_id, funder, amount in materialised:
        offer = offers[offer_id]
        funder_name = str(funder_labels.get(funder, funder))
        own_groups = sorted(g.code for g in offer.target_groups.all()) or groups
        # The offer's places are shared by its funders, one part each.
        places = (offer.capacity or 0) // lines_per_offer[offer_id]
        for group, kind, money, cell_places in _split(
            float(amount), places, own_groups, [offer.kind]
        ):
            facts.append(
                ProgrammeFact(
                    actor=offer.provider.name,
                    funder=funder_name,
                    target_group=group,
                    offer_kind=kind,
                    budget_eur=money,
                    places=cell_places,
                )
            )
    return facts, groups, kinds


def overlap_report(*, today: dt.date) -> OverlapReport:
    facts, groups, kinds = programme_facts(today)
    return programme_overlap(facts, groups, kinds)

"""Reading a scenario file: a named set of changes to the offer landscape's funding over a
period. Pure (no Django): read with ``core.jsonfile`` so every problem names
FILE:LINE, the JSON path of the field and what is wrong, all problems of a file at once.

The format (see README.md)::

    {"name": "Kürzung Bildungsgutscheine 2027",
     "period": {"start": "2027-01-01", "end": "2027-12-31"},
     "changes": [
       {"type": "funding_change", "funder": "federal_agency", "percent": -30,
        "offer_kinds": ["further_training"]},
       {"type": "eligibility_change", "funder": "federal_agency",
        "offer_kinds": ["further_training"], "target_groups": ["returners"]},
       {"type": "close_offer", "offer": "o-00012"},
       {"type": "open_offer", "offer": {"id": "o-new", "provider": "p-3", "kind": "counselling",
        "district": "Eving", "target_groups": ["youth"], "capacity": 20,
        "funding": [{"funder": "city", "amount_eur": 50000,
                     "start": "2027-01-01", "end": "2027-12-31"}]}}],
     "bridge_budget_eur": 200000,
     "rules": {"viability_threshold": 0.7, "bridge_weights": {"youth": 3}}}

Reading checks the file on its own (:func:`read_scenario`); whether the ids, target groups
and districts it names exist is checked against the inputs (:func:`check_spec`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from doconnect.files.importing import ImportProblem
from doconnect.files.jsonfile import Fields, Node, Problems, found, json_type, read_json, shown
from doconnect.scenarios.engine.spec import (
    CHANGE_TYPES,
    CLOSE_OFFER,
    DEFAULT_VIABILITY_THRESHOLD,
    ELIGIBILITY_CHANGE,
    FUNDING_CHANGE,
    OPEN_OFFER,
    Change,
    CloseOffer,
    EligibilityChange,
    FundingChange,
    NewFunding,
    OpenOffer,
    ScenarioRules,
    ScenarioSpec,
)

TOP_LEVEL_FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "period",
    "changes",
    "bridge_budget_eur",
    "rules",
)
PERIOD_FIELDS: tuple[str, ...] = ("start", "end")
RULES_FIELDS: tuple[str, ...] = ("viability_threshold", "bridge_weights")
CHANGE_FIELDS: dict[str, tuple[str, ...]] = {
    FUNDING_CHANGE: ("type", "funder", "percent", "amount_eur", "offer_kinds", "offers", "note"),
    ELIGIBILITY_CHANGE: (
        "type",
        "funder",
        "offer_kinds",
        "target_groups",
        "min_age",
        "max_age",
        "note",
    ),
    CLOSE_OFFER: ("type", "offer", "note"),
    OPEN_OFFER: ("type", "offer", "note"),
}
NEW_OFFER_FIELDS: tuple[str, ...] = (
    "id",
    "provider",
    "kind",
    "district",
    "target_groups",
    "capacity",
    "min_age",
    "max_age",
    "funding",
    "follow_ons",
)
FUNDING_FIELDS: tuple[str, ...] = ("funder", "amount_eur", "start", "end")

_SLUG = re.compile(r"[A-Za-z0-9_-]+")
_NAME_MAX = 200
_AMOUNT_LIMIT = 1e12
_CAPACITY_MAX = 1_000_000
_WEIGHT_MAX = 1000.0
DESTINATION_PREFIX = "destination:"


@dataclass(frozen=True)
class Vocabulary:
    """The allowed offer kinds and funder codes (the caller passes the model choices so
    this module stays pure); empty: not checked."""

    kinds: Collection[str] = ()
    funders: Collection[str] = ()


class _Fields(Fields):
    def identifier(self, name: str, *, required: bool = True) -> str:
        value = self.text(name, required=required, max_length=80)
        if value and not _SLUG.fullmatch(value):
            message = f"{shown(value)} may contain only letters, digits, '-' and '_'"
            self.problem(name, message, self.line_of(name))
            return ""
        return value

    def line_of(self, name: str) -> int | None:
        member = self.node.member(name)
        return member.line if member is not None else None

    def code(self, name: str, options: Collection[str], what: str) -> str:
        value = self.identifier(name)
        if value and options and value not in options:
            self.problem(
                name,
                f"unknown {what} {shown(value)}; expected one of: {', '.join(options)}",
                self.line_of(name),
            )
        return value

    def codes(self, name: str, options: Collection[str], what: str) -> tuple[str, ...]:
        """A list of distinct codes (each checked against ``options`` when given)."""
        result: list[str] = []
        for i, item in enumerate(self.array(name)):
            item_name = f"{name}[{i}]"
            value = item.value
            if not isinstance(value, str) or not _SLUG.fullmatch(value):
                self.problem(
                    item_name,
                    f"expected a code (letters, digits, '-', '_'), found {found(value)}",
                    item.line,
                )
            elif options and value not in options:
                self.problem(
                    item_name,
                    f"unknown {what} {shown(value)}; expected one of: {', '.join(options)}",
                    item.line,
                )
            elif value in result:
                self.problem(item_name, f"{what} {shown(value)} is listed twice", item.line)
            else:
                result.append(value)
        return tuple(result)

    def real(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float | None:
        value = self.number(name, required=required)
        if value is None:
            return None
        number = float(value)
        line = self.line_of(name)
        if minimum is not None and number < minimum:
            self.problem(name, f"must be at least {minimum:g}, found {number:g}", line)
            return None
        if maximum is not None and number > maximum:
            self.problem(name, f"must be at most {maximum:g}, found {number:g}", line)
            return None
        return number


def _read_rules(fields: _Fields) -> ScenarioRules:
    rules = fields.obj("rules")
    if rules is None:
        return ScenarioRules()
    rules.check_keys(RULES_FIELDS)
    threshold = rules.real("viability_threshold", minimum=0.0, maximum=1.0)
    weights: dict[str, float] = {}
    lines: dict[str, int] = {}
    table = rules.obj("bridge_weights")
    if table is not None:
        for key in table.node.member_names():
            if not _SLUG.fullmatch(key):
                table.problem(key, f"target group code {shown(key)} is not a code")
                continue
            weight = table.real(key, required=True, minimum=0.0, maximum=_WEIGHT_MAX)
            if weight is not None:
                weights[key] = weight
                member = table.node.member(key)
                lines[key] = member.line if member is not None else table.node.line
        for key, line in table.node.duplicate_keys:
            table.problem(key, "given twice in the same object", line)
    return ScenarioRules(
        viability_threshold=DEFAULT_VIABILITY_THRESHOLD if threshold is None else threshold,
        bridge_weights=dict(sorted(weights.items())),
        weight_lines=lines,
    )


def _ages(fields: _Fields) -> tuple[int | None, int | None]:
    low = fields.integer("min_age", maximum=120, what="age")
    high = fields.integer("max_age", maximum=120, what="age")
    if low is not None and high is not None and high < low:
        fields.problem("max_age", f"{high} is below min_age {low}")
    return low, high


def _read_funding_change(fields: _Fields, vocabulary: Vocabulary) -> FundingChange:
    funder = fields.code("funder", vocabulary.funders, "funder")
    percent = fields.real("percent", minimum=-100.0, maximum=1000.0)
    amount = fields.real("amount_eur", minimum=-_AMOUNT_LIMIT, maximum=_AMOUNT_LIMIT)
    if fields.has("percent") == fields.has("amount_eur"):
        fields.problem("", "give exactly one of percent or amount_eur")
    return FundingChange(
        funder=funder,
        percent=percent,
        amount_eur=amount,
        offer_kinds=fields.codes("offer_kinds", vocabulary.kinds, "offer kind"),
        offers=fields.codes("offers", (), "offer"),
    )


def _read_eligibility_change(fields: _Fields, vocabulary: Vocabulary) -> EligibilityChange:
    funder = fields.code("funder", vocabulary.funders, "funder")
    kinds = fields.codes("offer_kinds", vocabulary.kinds, "offer kind")
    groups = fields.codes("target_groups", (), "target group")
    low, high = _ages(fields)
    if not groups and low is None and high is None:
        fields.problem("", "name the target_groups and/or the ages (min_age, max_age) excluded")
    return EligibilityChange(
        funder=funder,
        offer_kinds=kinds,
        target_groups=groups,
        min_age=low,
        max_age=high,
    )


def _read_new_offer(fields: _Fields, vocabulary: Vocabulary) -> OpenOffer | None:
    offer = fields.obj("offer", required=True)
    if offer is None:
        return None
    offer.check_keys(NEW_OFFER_FIELDS)
    offer_id = offer.identifier("id")
    provider = offer.identifier("provider")
    kind = offer.code("kind", vocabulary.kinds, "offer kind")
    district = offer.optional_text("district", max_length=100)
    groups = offer.codes("target_groups", (), "target group")
    capacity = offer.integer("capacity", required=True, maximum=_CAPACITY_MAX, what="capacity")
    low, high = _ages(offer)
    funding: list[NewFunding] = []
    for line in offer.objects("funding"):
        line.check_keys(FUNDING_FIELDS)
        funder = line.code("funder", vocabulary.funders, "funder")
        amount = line.real("amount_eur", required=True, minimum=0.0, maximum=_AMOUNT_LIMIT)
        start, end = line.period(required=True)
        if funder and amount is not None and start is not None and end is not None:
            funding.append(NewFunding(funder, amount, start, end))
    follow_ons: list[str] = []
    for i, item in enumerate(offer.array("follow_ons")):
        if not isinstance(item.value, str) or not item.value:
            offer.problem(f"follow_ons[{i}]", f"expected an offer id, found {found(item.value)}")
        elif item.value == offer_id:
            offer.problem(f"follow_ons[{i}]", f"offer {shown(offer_id)} cannot follow itself")
        else:
            follow_ons.append(item.value)
    return OpenOffer(
        id=offer_id,
        provider=provider,
        kind=kind,
        capacity=capacity or 0,
        district=district,
        target_groups=tuple(sorted(groups)),
        min_age=low,
        max_age=high,
        funding=tuple(sorted(funding, key=lambda f: (f.start, f.end, f.funder, f.amount_eur))),
        follow_ons=tuple(follow_ons),
    )


def _read_change(node: Node, problems: Problems, vocabulary: Vocabulary) -> Change | None:
    # Each change's problems are reported on the line of the field concerned.
    fields = _Fields(node, problems)
    kind = fields.text("type", required=True)
    if not kind:
        return None
    if kind not in CHANGE_TYPES:
        fields.problem(
            "type",
            f"unknown change type {shown(kind)}; expected one of: " + ", ".join(CHANGE_TYPES),
        )
        return None
    fields.check_keys(CHANGE_FIELDS[kind])
    before = len(problems.found)
    change: Change | None
    if kind == FUNDING_CHANGE:
        change = _read_funding_change(fields, vocabulary)
    elif kind == ELIGIBILITY_CHANGE:
        change = _read_eligibility_change(fields, vocabulary)
    elif kind == CLOSE_OFFER:
        change = CloseOffer(offer=fields.identifier("offer"))
    else:
        change = _read_new_offer(fields, vocabulary)
    if change is None or len(problems.found) > before:
        return None
    return _located(change, node)


def _located(change: Change, node: Node) -> Change:
    return replace(change, line=node.line, path=node.path)


def read_scenario(data: bytes, *, file: str, vocabulary: Vocabulary = Vocabulary()) -> ScenarioSpec:
    """Read and check a scenario file; every problem of the file at once as
    ImportFailed (FILE:LINE: field: message)."""
    root = read_json(data, file=file)
    problems = Problems(file)
    if not isinstance(root.value, dict):
        problems.add(
            root.line,
            "",
            'a scenario must be a JSON object with "name", "period" and "changes", '
            f"found {json_type(root.value)}",
        )
        problems.raise_if_any()
    fields = _Fields(root, problems)
    fields.check_keys(TOP_LEVEL_FIELDS)
    name = fields.text("name", required=True, max_length=_NAME_MAX)
    description = fields.text("description")
    start = end = None
    period = fields.obj("period", required=True)
    if period is not None:
        period.check_keys(PERIOD_FIELDS)
        start, end = period.period(required=True)
    changes: list[Change] = []
    for node in fields.array("changes", required=True):
        if not isinstance(node.value, dict):
            problems.add(node.line, node.path, f"expected an object, found {found(node.value)}")
            continue
        change = _read_change(node, problems, vocabulary)
        if change is not None:
            changes.append(change)
    budget = fields.real("bridge_budget_eur", minimum=0.0, maximum=_AMOUNT_LIMIT)
    rules = _read_rules(fields)
    _check_unique_offers(changes, problems)
    problems.raise_if_any()
    assert start is not None and end is not None
    return ScenarioSpec(
        name=name,
        description=description,
        start=start,
        end=end,
        changes=tuple(changes),
        bridge_budget_eur=budget or 0.0,
        rules=rules,
        file=file,
    )


def _check_unique_offers(changes: Sequence[Change], problems: Problems) -> None:
    opened: dict[str, int] = {}
    closed: dict[str, int] = {}
    for change in changes:
        if isinstance(change, OpenOffer):
            if change.id in opened:
                problems.add(
                    change.line,
                    f"{change.path}.offer.id",
                    f"offer {shown(change.id)} is opened twice (first at line {opened[change.id]})",
                )
            opened.setdefault(change.id, change.line)
        elif isinstance(change, CloseOffer):
            if change.offer in closed:
                problems.add(
                    change.line,
                    f"{change.path}.offer",
                    f"offer {shown(change.offer)} is closed twice (first at line "
                    f"{closed[change.offer]})",
                )
            closed.setdefault(change.offer, change.line)


# --------------------------------------------------------------------------- against inputs


def check_spec(
    spec: ScenarioSpec,
    *,
    offer_ids: Collection[str],
    target_groups: Collection[str],
    districts: Collection[str],
) -> list[ImportProblem]:
    """What the file names that the inputs do not know: offers to close or change,
    offers to open that exist already, follow-ons, target groups, districts. Each problem
    on the line of its change."""
    problems = Problems(spec.file)
    known = set(offer_ids)
    groups = set(target_groups)
    district_names = set(districts)

    def unknown_offer(change: Change, path: str, offer: str) -> None:
        problems.add(change.line, path, f"unknown offer {shown(offer)}")

    for change in spec.changes:
        if isinstance(change, CloseOffer) and change.offer not in known:
            unknown_offer(change, f"{change.path}.offer", change.offer)
        elif isinstance(change, FundingChange):
            for i, offer in enumerate(change.offers):
                if offer not in known:
                    unknown_offer(change, f"{change.path}.offers[{i}]", offer)
        elif isinstance(change, EligibilityChange):
            for i, group in enumerate(change.target_groups):
                if group not in groups:
                    problems.add(
                        change.line,
                        f"{change.path}.target_groups[{i}]",
                        f"unknown target group {shown(group)}",
                    )
        elif isinstance(change, OpenOffer):
            path = f"{change.path}.offer"
            if change.id in known:
                problems.add(change.line, f"{path}.id", f"offer {shown(change.id)} exists already")
            if (
                change.district is not None
                and district_names
                and (change.district not in district_names)
            ):
                problems.add(
                    change.line, f"{path}.district", f"unknown district {shown(change.district)}"
                )
            for i, group in enumerate(change.target_groups):
                if group not in groups:
                    problems.add(
                        change.line,
                        f"{path}.target_groups[{i}]",
                        f"unknown target group {shown(group)}",
                    )
            known.add(change.id)
            for i, ref in enumerate(change.follow_ons):
                if ref.startswith(DESTINATION_PREFIX):
                    continue
                if ref not in known:
                    unknown_offer(change, f"{path}.follow_ons[{i}]", ref)
    for group in spec.rules.bridge_weights:
        if group not in groups:
            problems.add(
                spec.rules.weight_lines.get(group, 1),
                f"rules.bridge_weights.{group}",
                f"unknown target group {shown(group)}",
            )
    return problems.found

"""The demo city's generator on its own: pure rows, no database."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from functools import cache
from typing import Any

import pytest

from doconnect.demo.clients import TARGET_GROUPS
from doconnect.demo.districts import DISTRICTS
from doconnect.demo.forum_actors import EXTRA_ORGANISATIONS
from doconnect.demo.generator import CityGenerator
from doconnect.demo.landscape import reaches_destination
from doconnect.demo.names import NAMES
from doconnect.demo.occupation_codes import OCCUPATIONS
from doconnect.demo.offer_kinds import FUNDERS, OCCUPATION_KINDS, OFFER_KINDS
from doconnect.demo.organisation_tables import PUBLIC_BODIES
from doconnect.demo.rows import Table
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.inputs import FollowOn, Offer, PathwayConfig
from doconnect.pathways.engine.report import PathwayReport
from doconnect.people.biography import SpellSpan, overlap_conflicts

SMALL = 0.1


@cache
def city(seed: int = 2026, scale: float = SMALL) -> dict[str, Table]:
    """The generator's tables by label; a table built in two phases (organisations:
    public bodies and providers, then employers) as one."""
    tables: dict[str, Table] = {}
    for table in CityGenerator(seed, scale).tables():
        if table.label in tables:
            earlier = tables[table.label]
            table = Table(table.model, table.fields, earlier.rows + table.rows, table.m2m)
        tables[table.label] = table
    return tables


def rows_as_dicts(table: Table) -> list[dict[str, Any]]:
    return [dict(zip(table.fields, row, strict=True)) for row in table.rows]


def test_the_same_seed_builds_the_same_city() -> None:
    first = CityGenerator(7, 0.05).tables()
    second = CityGenerator(7, 0.05).tables()
    assert [(t.label, t.fields, t.rows) for t in first] == [
        (t.label, t.fields, t.rows) for t in second
    ]


def test_another_seed_builds_another_city() -> None:
    first = {t.label: t.rows for t in CityGenerator(7, 0.05).tables()}
    other = {t.label: t.rows for t in CityGenerator(8, 0.05).tables()}
    assert first["core.District"] == other["core.District"]  # the real districts stay
    assert first["people.Person"] != other["people.Person"]
    assert first["people.Spell"] != other["people.Spell"]
    assert first["offers.Offer"] != other["offers.Offer"]


def test_counts_scale_with_the_scale_factor_but_districts_do_not() -> None:
    tables = city()
    assert len(tables["people.Person"].rows) == 500
    assert len(tables["offers.Offer"].rows) == 30
    assert len(tables["employers.Vacancy"].rows) == 150
    kinds = [row["kind"] for row in rows_as_dicts(tables["core.Organisation"])]
    assert kinds.count("provider") == 6
    assert kinds.count("employer") == 15
    assert len(tables["core.District"].rows) == 12
    spells_per_person = len(tables["people.Spell"].rows) / 500
    assert 10 <= spells_per_person <= 20


def test_the_twelve_dortmund_districts_have_their_official_keys() -> None:
    districts = rows_as_dicts(city()["core.District"])
    assert [d["name"] for d in districts] == [
        "Innenstadt-West",
        "Innenstadt-Nord",
        "Innenstadt-Ost",
        "Eving",
        "Scharnhorst",
        "Brackel",
        "Aplerbeck",
        "Hörde",
        "Hombruch",
        "Lütgendortmund",
        "Huckarde",
        "Mengede",
    ]
    assert [d["official_key"] for d in districts] == [
        f"05913000{number:03d}" for number in range(10, 130, 10)
    ]


def test_the_public_bodies_are_there_with_stable_ids() -> None:
    organisations = {o["external_id"]: o for o in rows_as_dicts(city()["core.Organisation"])}
    assert organisations["city-dortmund"]["kind"] == "city"
    assert organisations["jobcenter-dortmund"]["kind"] == "jobcenter"
    assert organisations["agentur-dortmund"]["kind"] == "federal_agency"
    assert organisations["land-nrw"]["kind"] == "state"
    assert "city-dortmund-statistik" in organisations
    # 6 providers and 15 employers at this scale; the forum phase adds a union and
    # civic initiatives.
    assert len(organisations) == len(PUBLIC_BODIES) + 6 + 15 + len(EXTRA_ORGANISATIONS)
    assert {o["kind"] for o in organisations.values()} >= {"union", "civic"}


def test_every_biography_respects_the_overlap_rules_and_ends_after_it_starts() -> None:
    spans: dict[int, list[SpellSpan]] = defaultdict(list)
    for spell in rows_as_dicts(city()["people.Spell"]):
        start = dt.date.fromisoformat(spell["start"])
        end = dt.date.fromisoformat(spell["end"]) if spell["end"] else None
        assert end is None or end >= start
        assert dt.date(2021, 12, 1) <= start <= dt.date(2026, 11, 30)
        spans[spell["person"]].append(SpellSpan(spell["state"], start, end))
    assert len(spans) == 500  # everybody has a biography
    assert all(overlap_conflicts(biography) == [] for biography in spans.values())


def test_biographies_look_like_school_to_work_and_unemployment_careers() -> None:
    spells = rows_as_dicts(city(scale=0.3)["people.Spell"])
    states = {spell["state"] for spell in spells}
    assert {
        "school",
        "vocational_college",
        "apprenticeship",
        "employment",
        "unemployed",
        "offer",
        "marginal_employment",
        "parental_leave",
        "care",
    } <= states
    # Offer spells name their offer; school leavers move on in the summer.
    assert all(s["offer"] for s in spells if s["state"] == "offer")
    leaving = [s["end"] for s in spells if s["state"] == "school" and s["end"]]
    assert sum(end[5:] == "07-31" for end in leaving) > len(leaving) / 2


def test_there_are_dead_ends_and_chains_that_reach_a_destination() -> None:
    follow_ons = rows_as_dicts(city()["offers.FollowOn"])
    n = len(city()["offers.Offer"].rows)
    edges: list[list[int]] = [[] for _ in range(n)]
    goals: list[list[str]] = [[] for _ in range(n)]
    for link in follow_ons:
        if link["to_offer"] is not None:
            edges[link["from_offer"] - 1].append(link["to_offer"] - 1)
        else:
            goals[link["from_offer"] - 1].append(link["destination"])
    reaches = reaches_destination(edges, goals)
    assert not reaches.all(), "some offers must be dead ends"
    assert reaches.any()
    # A low-threshold entry that reaches a destination only through other offers.
    kinds = [o["kind"] for o in rows_as_dicts(city()["offers.Offer"])]
    assert any(
        kinds[i] == "low_threshold" and reaches[i] and not goals[i] and edges[i] for i in range(n)
    )
    # And a cycle: two offers that lead only to each other.
    assert any(edges[i] == [j] and edges[j] == [i] for i in range(n) for j in edges[i])


def test_some_districts_lack_a_low_threshold_entry_for_some_target_groups() -> None:
    offers = {o["id"]: o for o in rows_as_dicts(city(scale=1)["offers.Offer"])}
    covered = {
        (offers[offer]["district"], group)
        for _id, offer, group in city(scale=1)["offers.Offer.target_groups"].rows
        if offers[offer]["kind"] == "low_threshold"
    }
    every = {(d, g) for d in range(1, 13) for g in range(1, len(TARGET_GROUPS) + 1)}
    assert covered & every, "low-threshold entries exist"
    assert every - covered, "and gaps too"


def pathways_report(scale: float) -> PathwayReport:
    """The pathways engine on the generator's offers and follow-ons, with every district
    and target group in the coverage table."""
    tables = city(scale=scale)
    groups: dict[int, list[str]] = defaultdict(list)
    for _id, offer, group in tables["offers.Offer.target_groups"].rows:
        groups[offer].append(TARGET_GROUPS[group - 1].code)
    rows = rows_as_dicts(tables["offers.Offer"])
    external = {o["id"]: o["external_id"] for o in rows}
    offers = [
        Offer(
            id=o["external_id"],
            kind=o["kind"],
            status=o["status"],
            district=DISTRICTS[o["district"] - 1].name if o["district"] else None,
            target_groups=tuple(sorted(groups[o["id"]])),
        )
        for o in rows
    ]
    links = [
        FollowOn(external[link["from_offer"]], to_offer=external[link["to_offer"]])
        if link["to_offer"] is not None
        else FollowOn(external[link["from_offer"]], destination=link["destination"])
        for link in rows_as_dicts(tables["offers.FollowOn"])
    ]
    config = PathwayConfig(
        districts=tuple(d.name for d in DISTRICTS),
        target_groups=tuple(g.code for g in TARGET_GROUPS),
    )
    return analyse_pathways(offers, links, config)


@pytest.mark.parametrize("scale", [1, SMALL])
def test_most_districts_and_groups_have_an_entry_but_some_gaps_and_dead_ends_remain(
    scale: float,
) -> None:
    report = pathways_report(scale)
    cells = report.coverage
    assert len(cells) == 12 * 8
    without_entry = [c for c in cells if not c.has_entry]
    assert 0.03 <= len(without_entry) / len(cells) <= 0.2
    # Structural gaps, not whole districts or groups left out.
    assert len({c.district for c in without_entry}) < 12
    assert len({c.target_group for c in without_entry}) < 8
    reach = [{route.goal for route in c.routes} for c in cells if c.has_entry]
    assert sum("employment" in goals for goals in reach) > 0.8 * len(reach)
    assert sum("apprenticeship" in goals for goals in reach) > 0.5 * len(reach)
    causes = {dead.cause for dead in report.dead_ends}
    assert {"no_follow_on", "cycle", "closed_offer"} <= causes
    if scale == 1:
        # A few cells whose entries all lead nowhere near work or training.
        assert any(not {"employment", "apprenticeship"} & goals for goals in reach)


def test_offers_have_every_kind_funding_and_some_are_suspended_or_ended() -> None:
    offers = rows_as_dicts(city(scale=1)["offers.Offer"])
    assert {o["kind"] for o in offers} == set(OFFER_KINDS)
    assert {o["status"] for o in offers} == {"active", "suspended", "ended"}
    funders = {f["funder"] for f in rows_as_dicts(city(scale=1)["offers.FundingLine"])}
    assert funders == set(FUNDERS)


def test_training_and_employment_offers_qualify_for_occupations_their_title_names() -> None:
    known = {o.kldb for o in OCCUPATIONS}
    offers = rows_as_dicts(city(scale=1)["offers.Offer"])
    with_codes = 0
    for offer in offers:
        codes = json.loads(offer["occupations"])
        assert codes == sorted(set(codes)) and set(codes) <= known, offer
        if offer["kind"] not in OCCUPATION_KINDS:
            assert codes == [], offer
        elif "Lager" in offer["title"]:
            assert codes and all(code.startswith("513") for code in codes), offer
        elif "Deutschkurs" in offer["title"]:
            assert codes == [], offer
        with_codes += bool(codes)
    assert 1 <= max(len(json.loads(o["occupations"])) for o in offers) <= 2
    assert with_codes >= 0.3 * len(offers)


def test_the_occupations_of_offers_come_from_their_own_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drawing the offers' occupations changes no other value of any table: without the
    draw (every offer without occupations) the whole city is the same."""
    import doconnect.demo.offer_tables as offer_tables_module

    monkeypatch.setattr(
        offer_tables_module, "offer_occupations", lambda rng, kinds, titles: [()] * len(kinds)
    )
    plain = CityGenerator(7, 0.05).tables()
    monkeypatch.undo()
    drawn = CityGenerator(7, 0.05).tables()
    for before, after in zip(plain, drawn, strict=True):
        if before.label != "offers.Offer" or "occupations" not in before.fields:
            assert before.rows == after.rows, before.label
            continue
        column = before.fields.index("occupations")
        assert [r[:column] for r in before.rows] == [r[:column] for r in after.rows]
        assert any(b[column] != a[column] for b, a in zip(before.rows, after.rows, strict=True))


def test_everything_the_demo_creates_is_marked_synthetic() -> None:
    tables = city()
    for label in ("core.Organisation", "people.Person", "offers.Offer", "employers.Vacancy"):
        assert all(row["synthetic"] is True for row in rows_as_dicts(tables[label])), label
    assert {v["source"] for v in rows_as_dicts(tables["employers.Vacancy"])} == {"demo"}


def test_vacancies_use_real_five_digit_occupation_codes() -> None:
    known = {o.kldb for o in OCCUPATIONS}
    assert len(known) >= 40
    codes = {v["kldb"] for v in rows_as_dicts(city(scale=1)["employers.Vacancy"])}
    assert codes <= known
    assert all(len(code) == 5 and code.isdigit() for code in codes)
    assert len(codes) > 30


def test_persons_have_pseudonyms_names_and_plausible_details() -> None:
    tables = city()
    persons = rows_as_dicts(tables["people.Person"])
    public_ids = [p["public_id"] for p in persons]
    assert len(set(public_ids)) == len(public_ids)
    assert all(len(pid) == 10 and pid.startswith("P-") for pid in public_ids)
    assert {p["legal_branch"] for p in persons} == {"none", "SGB II", "SGB III"}
    assert all(1955 <= p["birth_year"] <= 2011 for p in persons)
    assert all(json.loads(p["strengths"]) and json.loads(p["support_needs"]) for p in persons)
    every_given = {name for pool in NAMES.values() for name in (*pool.female, *pool.male)}
    details = rows_as_dicts(tables["people.PersonalDetails"])
    assert all(d["given_name"] in every_given for d in details)
    assert all(d["email"] == "" or d["email"].endswith("@example.org") for d in details)


def test_consents_agreements_and_referrals_are_built() -> None:
    tables = city()
    consents = rows_as_dicts(tables["people.Consent"])
    assert any(c["withdrawn_at"] for c in consents)
    assert any(c["valid_until"] and c["valid_until"] < "2026-11-23" for c in consents)
    sides = {item["side"] for item in rows_as_dicts(tables["agreements.AgreementItem"])}
    assert sides == {"person", "institution"}
    statuses = {r["status"] for r in rows_as_dicts(tables["referrals.Referral"])}
    assert {"completed", "started"} <= statuses


@pytest.mark.parametrize("scale", [0.0, -1.0])
def test_a_scale_that_is_not_positive_is_refused(scale: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        CityGenerator(1, scale)

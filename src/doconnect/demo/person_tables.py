"""The persons and spells phases of the demo city: who the platform's clients are
(segment, district, age, gender, legal branch, qualifications, target groups, free tags,
stated wishes), their five-year biographies (``career_simulation``) and the spells they
become, each with who reported it and its occupation. Pure, no Django."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from doconnect.demo import careers as cr
from doconnect.demo import occupations as occ
from doconnect.demo.career_simulation import simulate
from doconnect.demo.careers import DIVERSE, FEMALE, GENDER_CODES, MALE, UNSPECIFIED
from doconnect.demo.clients import STRENGTHS, SUPPORT_NEEDS, TG
from doconnect.demo.dates import DEMO_TODAY, START_ISO, WINDOW_END_ISO, WINDOW_START_ISO
from doconnect.demo.districts import DISTRICTS
from doconnect.demo.organisation_tables import AGENCY_ID, JOBCENTER_ID, VOCATIONAL_COLLEGE_IDS
from doconnect.demo.personal_details import personal_details
from doconnect.demo.rows import BoolArray, IntArray, Row, Table, json_list, none_if, tolist

# Persons: segment shares (youth low/mid/high, adults, single parents, refugees, 50+),
# birth years and school-leaving ages by segment, and legal branch shares.
SEGMENT_SHARES = np.array([14, 10, 4, 36, 8, 14, 14]) / 100
BIRTH_YEARS = np.array(
    [
        [2003, 2010],
        [2003, 2010],
        [2003, 2008],
        [1972, 2000],
        [1980, 2001],
        [1975, 2006],
        [1959, 1975],
    ]
)
LEAVING_AGE = np.array([16, 17, 19, 0, 0, 0, 0])
BRANCH_SHARES = np.array(  # none, SGB II, SGB III
    [
        [0.45, 0.40, 0.15],
        [0.45, 0.30, 0.25],
        [0.50, 0.20, 0.30],
        [0.10, 0.60, 0.30],
        [0.05, 0.85, 0.10],
        [0.05, 0.90, 0.05],
        [0.05, 0.55, 0.40],
    ]
)
BRANCH_CODES = np.array(["none", "SGB II", "SGB III"], dtype=object)
SCHOOL_CODES = np.array(
    ["none", "hauptschule", "mittlerer", "fachhochschulreife", "abitur", "foreign", "unknown"],
    dtype=object,
)
VOCATIONAL_CODES = np.array(
    ["none", "apprenticeship", "master", "university", "foreign", "unknown"], dtype=object
)


@dataclass(frozen=True)
class Persons:
    """What later phases need of the persons: the simulation's inputs and its careers,
    who has a vocational qualification, and each person's first month with a spell."""

    population: cr.Population
    careers: cr.Careers
    skilled: BoolArray
    first_month: IntArray


def _public_ids(count: int, seed: int) -> list[str]:
    """Distinct "P-XXXXXXXX" pseudonyms: a keyed bijection on 40 bits, so no two persons
    share one and nothing about the row order shows through."""
    mask = np.uint64((1 << 40) - 1)
    x = (np.arange(count, dtype=np.uint64) + np.uint64(seed * 7919 + 12345)) & mask
    for multiplier, shift in ((0x9E3779B97F, 17), (0xBF58476D1D, 19), (0x94D049BB13, 13)):
        x = (x * np.uint64(multiplier | 1)) & mask
        x ^= x >> np.uint64(shift)
    alphabet = np.frombuffer(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", dtype=np.uint8)
    digits = np.empty((count, 8), dtype=np.uint8)
    for position in range(8):
        digits[:, 7 - position] = alphabet[((x >> np.uint64(5 * position)) & np.uint64(31))]
    codes = digits.view("S8").ravel()
    return ["P-" + code.decode() for code in codes]


def _qualifications(
    rng: np.random.Generator, pop: cr.Population, careers: cr.Careers
) -> tuple[IntArray, IntArray]:
    """School and vocational qualification codes (indices into SCHOOL_CODES and
    VOCATIONAL_CODES)."""
    n = len(pop.segment)
    segment = pop.segment
    school = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    for seg, codes in (
        (cr.YOUTH_LOW, np.where(u < 0.35, 0, 1)),
        (cr.YOUTH_MID, np.full(n, 2)),
        (cr.YOUTH_HIGH, np.where(u < 0.3, 3, 4)),
        (cr.REFUGEE, np.where(u < 0.6, 5, np.where(u < 0.85, 0, 6))),
    ):
        school[segment == seg] = codes[segment == seg]
    adults = np.isin(segment, (cr.ADULT, cr.SINGLE_PARENT, cr.OLDER))
    school[adults] = np.searchsorted(np.cumsum([0.12, 0.38, 0.3, 0.07, 0.08, 0.03]), u[adults])
    # Pupils still at school at the end of the window have no qualification yet.
    school[pop.school_leave >= cr.N_MONTHS] = 6
    vocational = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    vocational[adults] = np.searchsorted(np.cumsum([0.45, 0.43, 0.03, 0.05, 0.01]), u[adults])
    refugee = segment == cr.REFUGEE
    vocational[refugee] = np.where(u[refugee] < 0.4, 4, np.where(u[refugee] < 0.9, 0, 5))
    vocational[careers.completed_apprenticeship] = 1
    return school, vocational


def _target_group_rows(
    rng: np.random.Generator, pop: cr.Population, careers: cr.Careers, school: IntArray
) -> list[Row]:
    n = len(pop.segment)
    segment = pop.segment
    # Long-term unemployed: twelve months or more in one unemployment spell.
    unemployed = careers.state == cr.UNEMPLOYED
    end = np.where(careers.end == cr.OPEN, cr.N_MONTHS - 1, careers.end)
    longest = np.zeros(n, dtype=np.int64)
    np.maximum.at(longest, careers.person[unemployed], (end - careers.start + 1)[unemployed])
    parental = np.zeros(n, dtype=bool)
    parental[careers.person[careers.state == cr.PARENTAL_LEAVE]] = True
    youth = np.isin(segment, cr.YOUTH_SEGMENTS)
    tg = TG
    members = {
        tg["youth_difficult_start"]: (segment == cr.YOUTH_LOW) | (youth & (rng.random(n) < 0.12)),
        tg["school_leavers_without_qualification"]: youth & (school == 0),
        tg["long_term_unemployed"]: longest >= 12,
        tg["single_parents"]: segment == cr.SINGLE_PARENT,
        tg["refugees"]: segment == cr.REFUGEE,
        tg["over_50"]: pop.birth_year <= 1976,
        tg["disabled"]: rng.random(n) < 0.07,
        tg["returners"]: parental & (pop.gender == FEMALE) & (rng.random(n) < 0.4),
    }
    person = np.concatenate([np.flatnonzero(mask) for mask in members.values()])
    group = np.concatenate([np.full(int(mask.sum()), g) for g, mask in members.items()])
    order = np.lexsort((group, person))
    return list(
        zip(
            range(1, len(order) + 1),
            tolist(person[order] + 1),
            tolist(group[order] + 1),
            strict=True,
        )
    )


def _tags(
    rng: np.random.Generator, segment: IntArray, pool: tuple[str, ...], typical: dict[int, int]
) -> list[str]:
    """One to three tags per person from the pool, plus one typical of the segment,
    as JSON text (cached: there are few distinct combinations)."""
    n = len(segment)
    counts = rng.integers(1, 4, n)
    picks = rng.random((n, len(pool))).argsort(axis=1)[:, :3]
    texts: dict[tuple[int, ...], str] = {}
    out = []
    for i, seg in enumerate(segment.tolist()):
        chosen = set(picks[i, : counts[i]].tolist())
        if seg in typical:
            chosen.add(typical[seg])
        key = tuple(sorted(chosen))
        text = texts.get(key)
        if text is None:
            text = texts[key] = json_list([pool[k] for k in key])
        out.append(text)
    return out


# What persons said they want: about half stated a goal, about a third one to three
# kinds of offer (the allocation's preference cost).
STATED_GOAL_SHARE = 0.5
STATED_KINDS_SHARE = 0.35
WISHED_KINDS = (
    "counselling",
    "vocational_preparation",
    "qualification",
    "further_training",
    "apprenticeship",
    "subsidised_employment",
    "job_placement",
)


def _stated_wishes(
    rng: np.random.Generator, pop: cr.Population, vocational: IntArray
) -> tuple[list[str], list[str]]:
    n = len(pop.birth_year)
    age = DEMO_TODAY.year - pop.birth_year
    young_without = (age < 25) & (VOCATIONAL_CODES[vocational] == "none")
    goal = np.where(young_without, "apprenticeship", "employment").astype(object)
    goal[rng.random(n) < 0.05] = "self_employment"
    goal[rng.random(n) >= STATED_GOAL_SHARE] = ""
    stated = rng.random(n) < STATED_KINDS_SHARE
    counts = rng.integers(1, 4, n)
    order = rng.random((n, len(WISHED_KINDS))).argsort(axis=1)[:, :3]
    kinds = [
        json_list([WISHED_KINDS[k] for k in order[i, : counts[i]].tolist()]) if stated[i] else "[]"
        for i in range(n)
    ]
    return goal.tolist(), kinds


def _population(rng: np.random.Generator, n: int) -> cr.Population:
    """Who the platform's clients are: segment, district, age, legal branch."""
    segment = rng.choice(cr.N_SEGMENTS, n, p=SEGMENT_SHARES).astype(np.int64)
    district_weights = np.array([d.weight for d in DISTRICTS])
    district = rng.choice(len(DISTRICTS), n, p=district_weights / district_weights.sum())
    # Refugees live in the inner north far more than elsewhere.
    refugee = segment == cr.REFUGEE
    north_heavy = district_weights.copy()
    north_heavy[1] *= 2.5
    district[refugee] = rng.choice(
        len(DISTRICTS), int(refugee.sum()), p=north_heavy / north_heavy.sum()
    )
    low, high = BIRTH_YEARS[segment, 0], BIRTH_YEARS[segment, 1]
    birth_year = low + (rng.random(n) * (high - low + 1)).astype(np.int64)
    female_share = np.where(segment == cr.SINGLE_PARENT, 0.9, np.where(refugee, 0.45, 0.5))
    gender = np.where(rng.random(n) < female_share, FEMALE, MALE)
    u = rng.random(n)
    gender[u < 0.004] = DIVERSE
    gender[(u >= 0.004) & (u < 0.01)] = UNSPECIFIED
    u = rng.random(n)
    shares = BRANCH_SHARES[segment]
    branch = (u >= shares[:, 0]).astype(np.int64) + (u >= shares[:, 0] + shares[:, 1])
    # Pupils leave at 16 (no or Hauptschule qualification), 17 (Mittlerer) or 19
    # (Abitur), some a year later; the spell ends with the school year in July.
    leave_year = birth_year + LEAVING_AGE[segment] + (rng.random(n) < 0.15)
    school_leave = np.where(
        np.isin(segment, cr.YOUTH_SEGMENTS), (leave_year - 2021) * 12 + 7 - 12, -100
    )
    # Refugees: a third came before the window, a third with the 2022 wave, the
    # rest over the following years; their biographies start when they arrive.
    arrival = np.zeros(n, dtype=np.int64)
    u = rng.random(int(refugee.sum()))
    wave = rng.integers(3, 11, len(u))
    later = rng.integers(0, 48, len(u))
    arrival[refugee] = np.where(u < 0.35, 0, np.where(u < 0.7, wave, later))
    may_parent = (
        (birth_year >= 1982) & (birth_year <= 2002) & ((gender == FEMALE) | (rng.random(n) < 0.25))
    )
    return cr.Population(
        segment=segment,
        district=district.astype(np.int64),
        branch=branch,
        ageband=np.where(birth_year >= 1999, 0, 1).astype(np.int64),
        arrival=arrival,
        school_leave=school_leave.astype(np.int64),
        may_parent=may_parent,
        birth_year=birth_year,
        gender=gender.astype(np.int64),
    )


def person_tables(
    rng: np.random.Generator,
    wishes_rng: np.random.Generator,
    count: int,
    seed: int,
    network: cr.OfferNetwork,
) -> tuple[list[Table], Persons]:
    """``count`` persons with their target groups and personal details, their careers
    drawn on the offer ``network``; ``wishes_rng`` draws their stated wishes (a stream
    of its own), ``seed`` keys their pseudonyms."""
    n = count
    pop = _population(rng, n)
    careers = simulate(rng, pop, network)
    school, vocational = _qualifications(rng, pop, careers)
    skilled = np.isin(VOCATIONAL_CODES[vocational], ("apprenticeship", "master", "university"))
    first_month = np.full(n, cr.N_MONTHS, dtype=np.int64)
    np.minimum.at(first_month, careers.person, careers.start)
    created = [
        f"{START_ISO[m]} 0{7 + i % 3}:{i % 60:02d}:00"
        for i, m in enumerate(np.minimum(first_month, cr.N_MONTHS - 1).tolist())
    ]
    person_rows = list(
        zip(
            range(1, n + 1),
            _public_ids(n, seed),
            tolist(GENDER_CODES[pop.gender]),
            tolist(pop.birth_year),
            tolist(pop.district + 1),
            tolist(SCHOOL_CODES[school]),
            tolist(VOCATIONAL_CODES[vocational]),
            tolist(BRANCH_CODES[pop.branch]),
            _tags(rng, pop.segment, STRENGTHS, {cr.REFUGEE: 3}),
            _tags(
                rng,
                pop.segment,
                SUPPORT_NEEDS,
                {cr.SINGLE_PARENT: 0, cr.REFUGEE: 1, cr.YOUTH_LOW: 10},
            ),
            *_stated_wishes(wishes_rng, pop, vocational),
            created,
            [True] * n,
            strict=True,
        )
    )
    person_fields = (
        "id",
        "public_id",
        "gender",
        "birth_year",
        "district",
        "school_qualification",
        "vocational_qualification",
        "legal_branch",
        "strengths",
        "support_needs",
        "goal",
        "preferred_offer_kinds",
        "created_at",
        "synthetic",
    )
    detail_fields = (
        "person",
        "given_name",
        "family_name",
        "birth_date",
        "email",
        "phone",
        "street",
        "postcode",
        "address_district",
    )
    tables = [
        Table("people.Person", person_fields, person_rows),
        Table(
            "people.Person",
            ("id", "person", "targetgroup"),
            _target_group_rows(rng, pop, careers, school),
            m2m="target_groups",
        ),
        Table("people.PersonalDetails", detail_fields, personal_details(rng, pop)),
    ]
    return tables, Persons(pop, careers, skilled, first_month)


def _source_organisations(persons: Persons, offer_provider: IntArray) -> IntArray:
    """Who reported each spell: the provider for offers, the Jobcenter or the
    Agentur for unemployment, a vocational college for its pupils; 0 for none."""
    careers = persons.careers
    branch = persons.population.branch[careers.person]
    source = np.zeros(len(careers.person), dtype=np.int64)
    unemployed = careers.state == cr.UNEMPLOYED
    source[unemployed] = np.where(branch[unemployed] == 2, AGENCY_ID, JOBCENTER_ID)
    college = careers.state == cr.VOC_COLLEGE
    colleges = np.array(VOCATIONAL_COLLEGE_IDS, dtype=np.int64)
    source[college] = colleges[careers.person[college] % len(colleges)]
    with_offer = careers.offer >= 0
    source[with_offer] = offer_provider[careers.offer[with_offer]]
    return source


def spell_table(
    persons: Persons, offer_provider: IntArray, occupations_rng: np.random.Generator
) -> Table:
    """Every spell of the careers; ``offer_provider`` is each offer's provider (who
    reported a spell in it), ``occupations_rng`` draws the spells' occupations (a stream
    of its own)."""
    careers = persons.careers
    count = len(careers.person)
    state_names = np.array(cr.STATE_NAMES, dtype=object)
    end = np.where(careers.end == cr.OPEN, cr.N_MONTHS, careers.end)
    # KldB codes of the employment-type and unemployment spells.
    occupations = occ.spell_occupations(
        occupations_rng, careers, persons.population.gender, persons.skilled
    )
    rows = list(
        zip(
            range(1, count + 1),
            tolist(careers.person + 1),
            tolist(state_names[careers.state]),
            tolist(WINDOW_START_ISO[careers.start]),
            tolist(WINDOW_END_ISO[end]),
            none_if(_source_organisations(persons, offer_provider), 0),
            none_if(careers.offer + 1, 0),
            tolist(occupations),
            strict=True,
        )
    )
    return Table(
        "people.Spell",
        ("id", "person", "state", "start", "end", "source_organisation", "offer", "kldb"),
        rows,
    )

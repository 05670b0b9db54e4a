"""The demo city's labour-policy conference (pure: the standard library and NumPy's
random generator, no Django): a union and civic initiatives besides the public bodies,
actor profiles, the programmes of the city, the Jobcenter, the Agentur and the Land,
three working groups, five sessions held and one planned (agenda, documents,
participants, minutes, decisions) and some twenty commitments in every status, some
overdue, some public.

``build_forum`` returns ``(model, fields, rows, m2m)`` tuples in load order; the
generator's ``forum`` phase wraps them into its ``Table``s. Organisation ids continue
after the ones the generator has handed out; everything else starts at 1."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Row = tuple[Any, ...]
TableSpec = tuple[str, tuple[str, ...], list[Row], str | None]

# The fixed public bodies' ids in the generator (PUBLIC_BODIES order).
CITY, JOBCENTER, AGENCY, STATE = 1, 2, 3, 4
HWK, IHK = 6, 7
COLLEGES = (8, 9, 10, 11, 12, 13)

# Organisations the conference needs and the demo lacks: (external id, name, kind,
# district number 1-12 or None).
EXTRA_ORGANISATIONS: tuple[tuple[str, str, str, int | None], ...] = (
    ("dgb-dortmund", "DGB Dortmund-Hellweg", "union", 1),
    ("ini-nordstadt", "Stadtteilinitiative Nordstadt e. V.", "civic", 2),
    ("alz-dortmund", "Arbeitslosenzentrum Dortmund e. V.", "civic", 3),
    ("mig-netz", "Netzwerk Migrantinnenorganisationen Dortmund", "civic", 2),
    ("buergerstiftung", "Bürgerstiftung Dortmund", "civic", 1),
)

POLICY_BY_KIND = {
    "city": ["education_employment", "urban_development_employment", "economy", "social"],
    "jobcenter": ["social", "education_employment", "integration"],
    "federal_agency": ["education_employment", "economy"],
    "state": ["education_employment", "economy", "urban_development_employment"],
    "provider": ["education_employment", "social"],
    "vocational_college": ["education_employment", "youth"],
    "chamber": ["economy", "education_employment"],
    "union": ["economy", "social", "gender_equality"],
    "civic": ["urban_development_employment", "social", "integration"],
}
DESCRIPTIONS = {
    "city": "Lädt zur Arbeitspolitikkonferenz ein und verhandelt auf Augenhöhe mit "
    "Jobcenter, Agentur für Arbeit und Land.",
    "jobcenter": "Grundsicherung für Arbeitsuchende (SGB II): Beratung, Vermittlung, Förderung.",
    "federal_agency": "Arbeitsförderung (SGB III), Berufsberatung, Weiterbildung.",
    "state": "Landesprogramme für Ausbildung, Übergänge und Arbeit, ESF-Mittel.",
    "provider": "Bildungs- und Beschäftigungsträger.",
    "vocational_college": "Berufskolleg: Ausbildungsvorbereitung, vollzeitschulische "
    "Bildungsgänge, Berufsschule.",
    "chamber": "Kammer: Ausbildungsberatung, Prüfungen, Kontakte zu den Betrieben.",
    "union": "Gewerkschaftsbund: gute Arbeit, Tarifbindung, Mitbestimmung.",
    "civic": "Zivilgesellschaftliche Initiative im Stadtteil.",
}

# Programmes: (actor, funder, title, target group codes, offer kinds, budget per
# year, places, district numbers). Codes as in demo/data.py.
PROGRAMMES: tuple[
    tuple[int, int, str, tuple[str, ...], tuple[str, ...], int, int, tuple[int, ...]], ...
] = (
    (
        CITY,
        CITY,
        "Dortmunder Arbeitsmarktprogramm: Koppel-Beschäftigung",
        ("long_term_unemployed",),
        ("coupled_employment", "subsidised_employment"),
        2_400_000,
        180,
        (),
    ),
    (
        CITY,
        CITY,
        "Jugendberufshilfe im Quartier",
        ("youth_difficult_start", "school_leavers_without_qualification"),
        ("counselling", "low_threshold"),
        950_000,
        320,
        (2, 3),
    ),
    (
        CITY,
        STATE,
        "Kommunale Koordinierung Kein Abschluss ohne Anschluss",
        ("school_leavers_without_qualification",),
        ("orientation",),
        600_000,
        0,
        (),
    ),
    (
        JOBCENTER,
        JOBCENTER,
        "Teilhabe am Arbeitsmarkt (§ 16i SGB II)",
        ("long_term_unemployed", "over_50"),
        ("subsidised_employment",),
        6_800_000,
        420,
        (),
    ),
    (
        JOBCENTER,
        JOBCENTER,
        "Coaching für Alleinerziehende",
        ("single_parents",),
        ("counselling", "job_placement"),
        780_000,
        150,
        (),
    ),
    (
        JOBCENTER,
        JOBCENTER,
        "Berufssprachkurse und Anerkennung",
        ("refugees",),
        ("qualification",),
        1_250_000,
        260,
        (),
    ),
    (
        AGENCY,
        AGENCY,
        "Assistierte Ausbildung",
        ("youth_difficult_start",),
        ("apprenticeship", "vocational_preparation"),
        1_900_000,
        240,
        (),
    ),
    (
        AGENCY,
        AGENCY,
        "Weiterbildung mit Bildungsgutschein",
        ("long_term_unemployed", "returners", "over_50"),
        ("further_training",),
        3_600_000,
        500,
        (),
    ),
    (
        STATE,
        STATE,
        "Landesprogramm Ausbildungswege NRW",
        ("youth_difficult_start", "refugees"),
        ("apprenticeship",),
        1_100_000,
        120,
        (),
    ),
    (
        STATE,
        STATE,
        "Beratung zur beruflichen Entwicklung",
        ("returners", "single_parents"),
        ("counselling",),
        420_000,
        0,
        (),
    ),
)

WORKING_GROUPS: tuple[tuple[str, str, int], ...] = (
    ("AG Übergang Schule – Beruf", "education_employment", CITY),
    ("AG Nordstadt: Stadtentwicklung und Beschäftigung", "urban_development_employment", CITY),
    ("AG Langzeitarbeitslosigkeit", "social", JOBCENTER),
)

# Sessions: (title, kind, working group index or None, date, place, held).
SESSIONS: tuple[tuple[str, str, int | None, dt.date, str, bool], ...] = (
    (
        "Arbeitspolitikkonferenz Frühjahr 2026",
        "plenary",
        None,
        dt.date(2026, 3, 18),
        "Rathaus, Ratssaal",
        True,
    ),
    (
        "AG Übergang Schule – Beruf, 1. Sitzung",
        "working_group",
        0,
        dt.date(2026, 4, 22),
        "Berufskolleg am Hafen",
        True,
    ),
    (
        "AG Nordstadt, 1. Sitzung",
        "working_group",
        1,
        dt.date(2026, 5, 13),
        "Quartiersbüro Nordmarkt",
        True,
    ),
    (
        "AG Langzeitarbeitslosigkeit, 1. Sitzung",
        "working_group",
        2,
        dt.date(2026, 6, 10),
        "Jobcenter, Steinstraße",
        True,
    ),
    (
        "Arbeitspolitikkonferenz Herbst 2026",
        "plenary",
        None,
        dt.date(2026, 9, 30),
        "Rathaus, Ratssaal",
        True,
    ),
    (
        "Arbeitspolitikkonferenz Frühjahr 2027",
        "plenary",
        None,
        dt.date(2027, 3, 17),
        "Rathaus, Ratssaal",
        False,
    ),
)

AGENDAS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        (
            "Begrüßung durch den Oberbürgermeister",
            "Ziele der Konferenz: **verbinden statt abhängen**.",
        ),
        ("Lage am Dortmunder Arbeitsmarkt", "Bericht der Agentur für Arbeit und des Jobcenters."),
        (
            "Schnittmengen der Programme",
            "Wo zahlen Stadt, Jobcenter, Agentur und Land für dieselben Gruppen – wo niemand?",
        ),
        (
            "Arbeitsgruppen einsetzen",
            "- Übergang Schule – Beruf\n- Nordstadt\n- Langzeitarbeitslosigkeit",
        ),
    ),
    (
        (
            "Anschlüsse nach der Schule",
            "Wer geht nach der Klasse 10 wohin? Bericht der Berufskollegs.",
        ),
        (
            "Gemeinsame Beratung",
            "Jugendberufsagentur: Beratung von Stadt, Jobcenter und Agentur unter einem Dach.",
        ),
    ),
    (
        ("Beschäftigung im Quartier", "Koppel-Beschäftigung mit Betrieben aus der Nordstadt."),
        (
            "Initiativen einbinden",
            "Wie kommen Stadtteilinitiativen und Migrantinnenorganisationen an den Tisch?",
        ),
    ),
    (
        ("Teilhabe am Arbeitsmarkt", "Stand der Plätze nach § 16i SGB II."),
        ("Übergänge aus geförderter Beschäftigung", "Anschlüsse in ungeförderte Arbeit."),
    ),
    (
        ("Bericht der Arbeitsgruppen", "Die drei AGs berichten über ihre Beschlüsse."),
        ("Stand der Zusagen", "Was ist erledigt, was verspätet, was aufgegeben – und warum?"),
        ("Haushalt 2027", "Brückenbudget der Stadt für auslaufende Programme."),
    ),
    (("Tagesordnung folgt", ""),),
)

# Decisions per held session: (agenda position, text, public).
DECISIONS: tuple[tuple[tuple[int, str, bool], ...], ...] = (
    (
        (
            3,
            "Die Konferenz lässt die Programme von Stadt, Jobcenter, Agentur und Land "
            "**nach Zielgruppe und Angebotsart** nebeneinanderstellen und bis zum Herbst "
            "Lücken und Doppelungen benennen.",
            True,
        ),
        (
            4,
            "Es werden drei Arbeitsgruppen eingesetzt: Übergang Schule – Beruf, Nordstadt, "
            "Langzeitarbeitslosigkeit.",
            True,
        ),
    ),
    (
        (
            1,
            "Jede Schulabgängerin und jeder Schulabgänger ohne Anschluss erhält bis Ende "
            "November ein Beratungsangebot.",
            True,
        ),
        (
            2,
            "Stadt, Jobcenter und Agentur beraten junge Menschen ab 2027 gemeinsam an einem Ort.",
            False,
        ),
    ),
    (
        (1, "Zwanzig Plätze in Koppel-Beschäftigung mit Betrieben aus der Nordstadt.", True),
        (2, "Die Stadtteilinitiativen erhalten einen ständigen Sitz in der AG.", False),
    ),
    (
        (
            1,
            "Die Plätze nach § 16i SGB II werden gehalten; Anschlüsse werden sechs Monate "
            "vor Ende geplant.",
            True,
        ),
    ),
    (
        (2, "Verspätete Zusagen werden mit Begründung im öffentlichen Protokoll gezeigt.", True),
        (
            3,
            "Die Stadt prüft ein Brückenbudget für Angebote, deren Landesförderung ausläuft.",
            False,
        ),
    ),
)

# Commitments: (decision index (flat, in DECISIONS order), owner, to_whom, what, due
# offset in days from today, status, reason, public, with offers).
STATUS_REASONS = {
    "late": "Die Abstimmung mit den Schulen dauert länger als geplant.",
    "dropped": "Die Landesförderung ist entfallen; die Stadt übernimmt die Aufgabe nicht.",
}
COMMITMENTS: tuple[tuple[int, int | str, int | str | None, str, int, str, bool, bool], ...] = (
    (
        0,
        CITY,
        None,
        "Übersicht der Programme nach Zielgruppe und Angebotsart vorlegen",
        -40,
        "done",
        True,
        False,
    ),
    (
        0,
        JOBCENTER,
        CITY,
        "Eigene Programme mit Budget und Plätzen an die Stadt melden",
        -120,
        "done",
        True,
        False,
    ),
    (
        0,
        AGENCY,
        CITY,
        "Programme der Agentur mit Budget und Plätzen melden",
        -110,
        "done",
        True,
        False,
    ),
    (
        0,
        STATE,
        CITY,
        "Landesprogramme für Dortmund mit Laufzeiten melden",
        -20,
        "open",
        True,
        False,
    ),
    (1, CITY, None, "Geschäftsordnung der Arbeitsgruppen entwerfen", -150, "done", True, False),
    (
        2,
        "college",
        CITY,
        "Liste der Abgängerinnen und Abgänger ohne Anschluss abgleichen",
        -10,
        "on_track",
        True,
        False,
    ),
    (
        2,
        JOBCENTER,
        CITY,
        "Beratungstermine für Abgänger im SGB II anbieten",
        7,
        "on_track",
        True,
        True,
    ),
    (2, AGENCY, CITY, "Berufsberatung an allen Berufskollegs im November", 5, "open", True, False),
    (2, HWK, CITY, "Zwanzig Praktikumsplätze im Handwerk vermitteln", 30, "late", True, False),
    (
        3,
        CITY,
        JOBCENTER,
        "Konzept für gemeinsame Beratung an einem Ort vorlegen",
        60,
        "on_track",
        False,
        False,
    ),
    (
        3,
        AGENCY,
        JOBCENTER,
        "Räume und Personal für die gemeinsame Beratung benennen",
        -5,
        "open",
        False,
        False,
    ),
    (
        4,
        "provider",
        CITY,
        "Zehn Plätze in Koppel-Beschäftigung einrichten",
        90,
        "on_track",
        True,
        True,
    ),
    (
        4,
        IHK,
        "provider",
        "Betriebe aus der Nordstadt für Koppel-Beschäftigung gewinnen",
        -30,
        "late",
        True,
        False,
    ),
    (
        4,
        "civic",
        CITY,
        "Sprechstunde für Arbeitsuchende im Quartier anbieten",
        120,
        "open",
        True,
        False,
    ),
    (5, CITY, "civic", "Einladung der Initiativen in die AG regeln", -60, "done", False, False),
    (6, JOBCENTER, CITY, "Plätze nach § 16i SGB II halten", 180, "on_track", True, True),
    (
        6,
        "provider",
        JOBCENTER,
        "Anschlussplanung sechs Monate vor Ende für alle Teilnehmenden",
        12,
        "open",
        True,
        True,
    ),
    (
        6,
        "union",
        JOBCENTER,
        "Betriebsräte für Übernahmen aus geförderter Beschäftigung gewinnen",
        -15,
        "on_track",
        True,
        False,
    ),
    (7, CITY, None, "Verspätete Zusagen mit Begründung veröffentlichen", 10, "open", True, False),
    (
        8,
        CITY,
        STATE,
        "Brückenbudget für auslaufende Landesförderung prüfen",
        45,
        "open",
        False,
        False,
    ),
    (
        8,
        STATE,
        CITY,
        "Weiterförderung des Programms Ausbildungswege zusagen",
        -25,
        "dropped",
        False,
        False,
    ),
)


@dataclass(frozen=True)
class ForumInputs:
    today: dt.date
    first_organisation_id: int
    provider_ids: Sequence[int]
    provider_districts: Sequence[int]  # district ids (1-12) of the providers
    offer_providers: Sequence[int]  # the provider id of offer i + 1
    running_offers: Sequence[bool]
    target_groups: Sequence[str]  # codes; id = index + 1


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _stamp(day: dt.date, time: str = "10:00:00") -> str:
    return f"{day.isoformat()} {time}"


def build_forum(rng: np.random.Generator, inputs: ForumInputs) -> list[TableSpec]:
    today = inputs.today
    org_rows: list[Row] = []
    extra: dict[str, int] = {}
    for offset, (ext, name, kind, district) in enumerate(EXTRA_ORGANISATIONS):
        org_id = inputs.first_organisation_id + offset
        extra[ext] = org_id
        org_rows.append((org_id, ext, name, kind, district, "", True))
    civic = [extra[ext] for ext, _n, kind, _d in EXTRA_ORGANISATIONS if kind == "civic"]
    union = extra["dgb-dortmund"]
    kinds: dict[int, str] = {
        CITY: "city",
        JOBCENTER: "jobcenter",
        AGENCY: "federal_agency",
        STATE: "state",
        HWK: "chamber",
        IHK: "chamber",
        **{c: "vocational_college" for c in COLLEGES},
        **{p: "provider" for p in inputs.provider_ids},
        union: "union",
        **{c: "civic" for c in civic},
    }

    # Actor profiles.
    profile_rows: list[Row] = []
    profile_districts: list[Row] = []
    provider_district = dict(zip(inputs.provider_ids, inputs.provider_districts, strict=True))
    civic_districts = {
        extra["ini-nordstadt"]: [2],
        extra["alz-dortmund"]: [2, 3, 4],
        extra["mig-netz"]: [2, 1],
        extra["buergerstiftung"]: [],
    }
    for profile_id, (org_id, kind) in enumerate(sorted(kinds.items()), start=1):
        fields = list(POLICY_BY_KIND[kind])
        if kind == "provider" and rng.random() < 0.4:
            fields.append(
                ["youth", "integration", "urban_development_employment"][int(rng.integers(3))]
            )
        profile_rows.append((profile_id, org_id, json.dumps(fields), DESCRIPTIONS[kind]))
        districts = (
            [provider_district[org_id]] if kind == "provider" else civic_districts.get(org_id, [])
        )
        for district in districts:
            profile_districts.append((len(profile_districts) + 1, profile_id, district))

    # Programmes.
    group_id = {code: i + 1 for i, code in enumerate(inputs.target_groups)}
    programme_rows: list[Row] = []
    programme_groups: list[Row] = []
    programme_districts: list[Row] = []
    for pid, (actor, funder, title, groups, offer_kinds, budget, places, areas) in enumerate(
        PROGRAMMES, start=1
    ):
        amount = budget * float(rng.uniform(0.9, 1.1))
        programme_rows.append(
            (
                pid,
                actor,
                funder,
                title,
                "",
                json.dumps(list(offer_kinds)),
                f"{amount:.2f}",
                places or None,
                "2025-01-01",
                "2027-12-31",
            )
        )
        for code in groups:
            if code in group_id:
                programme_groups.append((len(programme_groups) + 1, pid, group_id[code]))
        for district in areas:
            programme_districts.append((len(programme_districts) + 1, pid, district))

    wg_rows = [(i + 1, name, field, lead) for i, (name, field, lead) in enumerate(WORKING_GROUPS)]

    # Sessions with participants, agenda, documents and minutes.
    session_rows: list[Row] = []
    participant_rows: list[Row] = []
    agenda_rows: list[Row] = []
    document_rows: list[Row] = []
    minutes_rows: list[Row] = []
    providers = list(inputs.provider_ids)
    picked_providers = [providers[int(i)] for i in rng.permutation(len(providers))[:8]]
    agenda_ids: dict[tuple[int, int], int] = {}
    for sid, (title, kind, wg, day, place, held) in enumerate(SESSIONS, start=1):
        session_rows.append(
            (
                sid,
                title,
                kind,
                wg + 1 if wg is not None else None,
                CITY,
                _iso(day),
                place,
                "held" if held else "planned",
                _stamp(day - dt.timedelta(days=30)),
            )
        )
        if kind == "plenary":
            present = [
                CITY,
                JOBCENTER,
                AGENCY,
                STATE,
                HWK,
                IHK,
                union,
                *civic[:2],
                *picked_providers[:4],
            ]
        elif wg == 0:
            present = [CITY, JOBCENTER, AGENCY, HWK, *COLLEGES[:3], *picked_providers[4:6]]
        elif wg == 1:
            present = [CITY, JOBCENTER, IHK, *civic, *picked_providers[:2]]
        else:
            present = [
                CITY,
                JOBCENTER,
                AGENCY,
                union,
                extra["alz-dortmund"],
                *picked_providers[5:8],
            ]
        if held:
            for member in dict.fromkeys(present):
                representative = {
                    CITY: "Oberbürgermeister"
                    if kind == "plenary"
                    else "Leitung Beschäftigungsförderung",
                    JOBCENTER: "Geschäftsführung",
                    AGENCY: "Vorsitz der Geschäftsführung",
                    STATE: "Referatsleitung Arbeitsmarktpolitik",
                }.get(member, "")
                participant_rows.append((len(participant_rows) + 1, sid, member, representative))
        for position, (item_title, body) in enumerate(AGENDAS[sid - 1], start=1):
            agenda_id = len(agenda_rows) + 1
            agenda_rows.append((agenda_id, sid, position, item_title, body))
            agenda_ids[(sid, position)] = agenda_id
        document_rows.append(
            (
                len(document_rows) + 1,
                sid,
                "Einladung und Tagesordnung",
                "",
                f"Einladung zur Sitzung „{title}“ am {day:%d.%m.%Y}.",
            )
        )
        if held:
            minutes_rows.append(
                (
                    sid,
                    sid,
                    f"## Protokoll\n\nSitzung am {day:%d.%m.%Y}, {place}.\n\n"
                    + "\n".join(
                        f"- **TOP {p}**: {t} – beraten."
                        for p, (t, _b) in enumerate(AGENDAS[sid - 1], start=1)
                    ),
                    _stamp(day + dt.timedelta(days=3)),
                    None,
                    _stamp(day + dt.timedelta(days=21))
                    if day + dt.timedelta(days=21) < today
                    else None,
                )
            )
    document_rows.append(
        (
            len(document_rows) + 1,
            1,
            "Arbeitsmarktreport der Agentur für Arbeit",
            "https://statistik.arbeitsagentur.de/",
            "",
        )
    )

    # Decisions.
    decision_rows: list[Row] = []
    decision_public: list[bool] = []
    for sid, decisions in enumerate(DECISIONS, start=1):
        day = SESSIONS[sid - 1][3]
        for position, text, public in decisions:
            decision_rows.append(
                (
                    len(decision_rows) + 1,
                    sid,
                    agenda_ids.get((sid, position)),
                    text,
                    public,
                    _stamp(day, "16:00:00"),
                )
            )
            decision_public.append(public)

    # Commitments with their status trail.
    def org(ref: int | str | None, index: int) -> int | None:
        if ref is None or isinstance(ref, int):
            return ref
        if ref == "college":
            return COLLEGES[index % len(COLLEGES)]
        if ref == "provider":
            return picked_providers[index % len(picked_providers)]
        if ref == "civic":
            return civic[index % len(civic)]
        return union

    commitment_rows: list[Row] = []
    commitment_offers: list[Row] = []
    commitment_groups: list[Row] = []
    commitment_districts: list[Row] = []
    update_rows: list[Row] = []
    for cid, (decision, owner_ref, to_ref, what, due, status, public, with_offers) in enumerate(
        COMMITMENTS, start=1
    ):
        owner = org(owner_ref, cid)
        to_whom = org(to_ref, cid + 1)
        if to_whom == owner:
            to_whom = CITY if owner != CITY else None
        session_day = SESSIONS[DECISION_SESSION[decision]][3]
        due_on = today + dt.timedelta(days=due + int(rng.integers(-2, 3)))
        due_on = max(due_on, session_day + dt.timedelta(days=14))
        reason = STATUS_REASONS.get(status, "")
        commitment_rows.append(
            (
                cid,
                decision + 1,
                owner,
                to_whom,
                what,
                _iso(due_on),
                status,
                reason,
                public and decision_public[decision],
                None,
                _stamp(session_day, "16:30:00"),
                _stamp(min(today, due_on)),
            )
        )
        if with_offers and owner is not None:
            own = [
                i + 1
                for i, p in enumerate(inputs.offer_providers)
                if p == owner and inputs.running_offers[i]
            ]
            for offer in own[:2]:
                commitment_offers.append((len(commitment_offers) + 1, cid, offer))
        if decision in (2, 3, 4) and inputs.target_groups:
            code = "youth_difficult_start" if decision in (2, 3) else "long_term_unemployed"
            if code in group_id:
                commitment_groups.append((len(commitment_groups) + 1, cid, group_id[code]))
        if decision in (4, 5):
            commitment_districts.append((len(commitment_districts) + 1, cid, 2))
        # The trail: on track first where it went on, then the final step.
        steps = {
            "on_track": ["on_track"],
            "late": ["on_track", "late"],
            "done": ["on_track", "done"],
            "dropped": ["dropped"],
        }
        previous = "open"
        for n, step in enumerate(steps.get(status, [])):
            at = min(today, session_day + dt.timedelta(days=20 + 15 * n))
            update_rows.append(
                (
                    len(update_rows) + 1,
                    cid,
                    _stamp(at, "11:00:00"),
                    None,
                    previous,
                    step,
                    STATUS_REASONS.get(step, ""),
                )
            )
            previous = step

    return [
        (
            "core.Organisation",
            ("id", "external_id", "name", "kind", "district", "wz_code", "synthetic"),
            org_rows,
            None,
        ),
        (
            "forum.ActorProfile",
            ("id", "organisation", "policy_fields", "description"),
            profile_rows,
            None,
        ),
        ("forum.ActorProfile", ("id", "actorprofile", "district"), profile_districts, "districts"),
        (
            "forum.Programme",
            (
                "id",
                "actor",
                "funder",
                "title",
                "description",
                "offer_kinds",
                "budget_eur",
                "places",
                "start",
                "end",
            ),
            programme_rows,
            None,
        ),
        ("forum.Programme", ("id", "programme", "targetgroup"), programme_groups, "target_groups"),
        ("forum.Programme", ("id", "programme", "district"), programme_districts, "districts"),
        ("forum.WorkingGroup", ("id", "name", "policy_field", "lead"), wg_rows, None),
        (
            "forum.ConferenceSession",
            (
                "id",
                "title",
                "kind",
                "working_group",
                "convener",
                "date",
                "place",
                "status",
                "created_at",
            ),
            session_rows,
            None,
        ),
        (
            "forum.SessionParticipant",
            ("id", "session", "organisation", "representative"),
            participant_rows,
            None,
        ),
        ("forum.AgendaItem", ("id", "session", "position", "title", "body"), agenda_rows, None),
        ("forum.SessionDocument", ("id", "session", "title", "url", "text"), document_rows, None),
        (
            "forum.Minutes",
            ("id", "session", "body", "recorded_at", "recorded_by", "approved_at"),
            minutes_rows,
            None,
        ),
        (
            "forum.ConferenceDecision",
            ("id", "session", "agenda_item", "text", "public", "created_at"),
            decision_rows,
            None,
        ),
        (
            "forum.Commitment",
            (
                "id",
                "decision",
                "owner",
                "to_whom",
                "what",
                "due_on",
                "status",
                "status_reason",
                "public",
                "reminder_sent_on",
                "created_at",
                "updated_at",
            ),
            commitment_rows,
            None,
        ),
        ("forum.Commitment", ("id", "commitment", "offer"), commitment_offers, "offers"),
        (
            "forum.Commitment",
            ("id", "commitment", "targetgroup"),
            commitment_groups,
            "target_groups",
        ),
        ("forum.Commitment", ("id", "commitment", "district"), commitment_districts, "districts"),
        (
            "forum.CommitmentUpdate",
            ("id", "commitment", "at", "by", "from_status", "to_status", "reason"),
            update_rows,
            None,
        ),
    ]


# The session (index into SESSIONS) of each decision, in DECISIONS' flat order.
DECISION_SESSION: tuple[int, ...] = tuple(
    s for s, decisions in enumerate(DECISIONS) for _d in decisions
)

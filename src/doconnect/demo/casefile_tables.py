"""The case files of the demo city (app ``casework``): case notes, follow-ups,
appointments and responsible workers for the two demo logins who do case work, the
Jobcenter's ``fallberatung`` and the provider's ``traeger``, so their person pages,
"Meine Fälle" and task pages are not empty. Pure, no Django.

Only persons the login may work on get a file: for the Jobcenter persons with a consent
covering it on the demo's today; for the provider its participants (a spell in one of
its offers) with a consent covering the provider. Consent and participation are read
from what the earlier phases built; this phase draws from its own random stream, so no
other row of the city changes.

The days are counted from ``today`` (the day the city is loaded, see
``demo.services``), not from the demo's fixed today: a follow-up "due today" has to be
due on the day somebody looks at the demo. Everything else is the same for a seed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from doconnect.demo.dates import DEMO_TODAY
from doconnect.demo.rows import IntArray, Row, Table

CITY_TIME = ZoneInfo("Europe/Berlin")

# How many files each login gets (fewer where fewer persons qualify).
JOBCENTER_FILES = 12
PROVIDER_FILES = 8

NOTE_TEXTS: dict[str, tuple[str, ...]] = {
    "counselling": (
        "Erstgespräch: Schulabschluss und bisherige Praktika besprochen. Die Person möchte "
        "eine Ausbildung im Handwerk beginnen; Bewerbungsunterlagen fehlen noch.",
        "Folgegespräch: Lebenslauf gemeinsam überarbeitet, drei Stellen ausgesucht. "
        "Die Person schickt die Bewerbungen bis Ende der Woche.",
        "Gespräch über die Kinderbetreuung: Kita-Platz ab dem nächsten Monat zugesagt, "
        "damit ist eine Teilzeitmaßnahme möglich.",
    ),
    "phone": (
        "Rückruf der Person: Der Termin beim Berufskolleg hat geklappt, Zusage folgt schriftlich.",
        "Telefonat mit der Person: krank gemeldet, neuer Termin vereinbart.",
        "Kurzer Anruf: Die Person fragt nach dem Stand der Zuweisung; Rückmeldung des "
        "Trägers steht noch aus.",
    ),
    "case_conference": (
        "Fallkonferenz mit Träger und Jugendberufsagentur: gemeinsamer Plan für die "
        "nächsten drei Monate, Zuständigkeiten abgestimmt.",
    ),
    "home_visit": (
        "Hausbesuch nach zwei verpassten Terminen: Die Person war erreichbar, Post kam "
        "wegen eines Umzugs nicht an. Neue Anschrift aufgenommen.",
    ),
    "other": ("Unterlagen der Person eingegangen und geprüft: vollständig.",),
}
PROVIDER_NOTE_TEXTS: dict[str, tuple[str, ...]] = {
    "counselling": (
        "Zwischengespräch in der Maßnahme: Anwesenheit gut, Mathematik noch schwach; "
        "zusätzliche Lernzeit am Donnerstag vereinbart.",
        "Gespräch zum Praktikum: Der Betrieb ist zufrieden und kann sich eine "
        "Übernahme in Ausbildung vorstellen.",
    ),
    "phone": ("Telefonat mit der Anleitung im Praktikumsbetrieb: Rückmeldung positiv.",),
    "other": ("Teilnahmebescheinigung für das erste Modul ausgestellt.",),
}
FOLLOW_UP_REASONS = (
    "Bewerbungsnachweise anfordern",
    "Nachfragen, ob die Zusage des Berufskollegs da ist",
    "Einwilligung läuft aus – mit der Person besprechen",
    "Rückmeldung des Trägers zur Zuweisung einholen",
    "Termin für das Folgegespräch vereinbaren",
    "Unterlagen zur Kinderbetreuung prüfen",
)
PROVIDER_FOLLOW_UP_REASONS = (
    "Praktikumsbericht besprechen",
    "Anwesenheitsliste an das Jobcenter schicken",
    "Zwischenbilanz der Maßnahme vorbereiten",
)
APPOINTMENTS = (
    ("Beratungsgespräch", "Jobcenter Dortmund, Raum 2.14", ""),
    ("Bewerbungstraining", "Jobcenter Dortmund, Raum 1.03", ""),
    ("Gemeinsamer Termin mit der Jugendberufsagentur", "Jugendberufsagentur, Kampstraße", "Mutter"),
    ("Folgegespräch", "telefonisch", ""),
)
PROVIDER_APPOINTMENTS = (
    ("Auswertung des Praktikums", "Werkstatt, Besprechungsraum", "Anleiterin des Betriebs"),
    ("Lernstandsgespräch", "Bildungszentrum, Raum 4", ""),
)
# Days from today of the follow-ups (overdue, due today, soon) and appointments
# (local hour), one after another over the files that get one.
FOLLOW_UP_DAYS = (-6, -2, 0, 0, 1, 3, 7, 14)
APPOINTMENT_SLOTS = (
    (-3, 9, "held"),
    (0, 10, "planned"),
    (0, 14, "planned"),
    (1, 11, "planned"),
    (4, 9, "planned"),
    (8, 13, "cancelled"),
    (9, 10, "planned"),
)


@dataclass(frozen=True)
class CasefileInputs:
    """What this phase reads of the earlier ones."""

    consents: Table  # people.Consent rows
    consent_organisations: Table  # people.Consent.organisations rows
    spell_person: IntArray  # per spell: person index (0-based)
    spell_offer: IntArray  # per spell: offer index, -1 without offer
    offer_provider: IntArray  # per offer: provider organisation id
    jobcenter_id: int
    provider_id: int  # the busiest provider, where the ``traeger`` login works
    users: dict[str, int]  # demo username -> user id
    today: dt.date


def _consented(inputs: CasefileInputs, organisation: int) -> set[int]:
    """Person ids (1-based) with a consent for counselling (case files serve it)
    covering ``organisation``, valid on the demo's today and not ending before the end of
    next year, so the files stay visible."""
    fields = inputs.consents.fields
    index = {
        name: fields.index(name)
        for name in ("id", "person", "counselling", "valid_from", "valid_until", "withdrawn_at")
    }
    covering = {
        consent for _id, consent, org in inputs.consent_organisations.rows if org == organisation
    }
    horizon = dt.date(DEMO_TODAY.year + 1, 12, 31).isoformat()
    today = DEMO_TODAY.isoformat()
    return {
        row[index["person"]]
        for row in inputs.consents.rows
        if row[index["id"]] in covering
        and row[index["counselling"]]
        and row[index["valid_from"]] <= today
        and row[index["withdrawn_at"]] is None
        and (row[index["valid_until"]] is None or row[index["valid_until"]] >= horizon)
    }


def _utc(day: dt.date, hour: int, minute: int = 0) -> str:
    """A local time of the city as the naive UTC text the loader writes."""
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CITY_TIME)
    return local.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class _Rows:
    notes: list[Row]
    follow_ups: list[Row]
    appointments: list[Row]
    responsibilities: list[Row]


def _files(
    rng: np.random.Generator,
    rows: _Rows,
    persons: Sequence[int],
    *,
    organisation: int,
    user: int,
    author: str,
    today: dt.date,
    note_texts: dict[str, tuple[str, ...]],
    reasons: Sequence[str],
    appointments: Sequence[tuple[str, str, str]],
) -> None:
    """Notes, follow-ups, appointments and the responsibility of one login's files."""
    purposes = sorted(note_texts)
    for k, person in enumerate(persons):
        since = today - dt.timedelta(days=int(rng.integers(30, 200)))
        rows.responsibilities.append(
            (len(rows.responsibilities) + 1, person, organisation, user, _utc(since, 9), user)
        )
        for back in sorted(
            rng.choice(np.arange(1, 90), size=int(rng.integers(1, 4)), replace=False), reverse=True
        ):
            day = today - dt.timedelta(days=int(back))
            purpose = purposes[int(rng.integers(0, len(purposes)))]
            texts = note_texts[purpose]
            rows.notes.append(
                (
                    len(rows.notes) + 1,
                    person,
                    organisation,
                    user,
                    author,
                    day.isoformat(),
                    purpose,
                    texts[int(rng.integers(0, len(texts)))],
                    _utc(day, 16, int(rng.integers(0, 60))),
                    None,
                )
            )
        if k < len(FOLLOW_UP_DAYS):
            due = today + dt.timedelta(days=FOLLOW_UP_DAYS[k])
            set_on = min(due, today) - dt.timedelta(days=int(rng.integers(7, 30)))
            rows.follow_ups.append(
                (
                    len(rows.follow_ups) + 1,
                    person,
                    organisation,
                    user,
                    due.isoformat(),
                    reasons[k % len(reasons)],
                    None,
                    None,
                    user,
                    _utc(set_on, 11),
                )
            )
        if k < len(APPOINTMENT_SLOTS):
            offset, hour, status = APPOINTMENT_SLOTS[k]
            day = today + dt.timedelta(days=offset)
            subject, place, with_whom = appointments[k % len(appointments)]
            made = min(day, today) - dt.timedelta(days=int(rng.integers(3, 21)))
            rows.appointments.append(
                (
                    len(rows.appointments) + 1,
                    person,
                    organisation,
                    user,
                    _utc(day, hour),
                    int(rng.choice([30, 45, 60])),
                    place,
                    with_whom,
                    subject,
                    status,
                    _utc(day, hour + 1)
                    if status == "held"
                    else (_utc(made, 15) if status == "cancelled" else None),
                    user,
                    _utc(made, 10),
                )
            )


def casefile_tables(rng: np.random.Generator, inputs: CasefileInputs) -> list[Table]:
    """The four case-work tables: about ``JOBCENTER_FILES`` files for ``fallberatung``
    and ``PROVIDER_FILES`` for ``traeger``, the persons drawn from those they may see."""
    rows = _Rows([], [], [], [])
    jobcenter_persons = sorted(_consented(inputs, inputs.jobcenter_id))
    with_offer = inputs.spell_offer >= 0
    participants = {
        int(p) + 1
        for p, o in zip(
            inputs.spell_person[with_offer], inputs.spell_offer[with_offer], strict=True
        )
        if inputs.offer_provider[o] == inputs.provider_id
    }
    provider_persons = sorted(participants & _consented(inputs, inputs.provider_id))
    chosen_jobcenter = (
        sorted(
            rng.choice(
                jobcenter_persons, size=min(JOBCENTER_FILES, len(jobcenter_persons)), replace=False
            ).tolist()
        )
        if jobcenter_persons
        else []
    )
    chosen_provider = (
        sorted(
            rng.choice(
                provider_persons, size=min(PROVIDER_FILES, len(provider_persons)), replace=False
            ).tolist()
        )
        if provider_persons
        else []
    )
    _files(
        rng,
        rows,
        chosen_jobcenter,
        organisation=inputs.jobcenter_id,
        user=inputs.users["fallberatung"],
        author="Demo Fallberatung",
        today=inputs.today,
        note_texts=NOTE_TEXTS,
        reasons=FOLLOW_UP_REASONS,
        appointments=APPOINTMENTS,
    )
    _files(
        rng,
        rows,
        chosen_provider,
        organisation=inputs.provider_id,
        user=inputs.users["traeger"],
        author="Demo Trägerpersonal",
        today=inputs.today,
        note_texts=PROVIDER_NOTE_TEXTS,
        reasons=PROVIDER_FOLLOW_UP_REASONS,
        appointments=PROVIDER_APPOINTMENTS,
    )
    return [
        Table(
            "casework.CaseNote",
            (
                "id",
                "person",
                "organisation",
                "author",
                "author_name",
                "conversation_on",
                "purpose",
                "text",
                "written_at",
                "corrects",
            ),
            rows.notes,
        ),
        Table(
            "casework.FollowUp",
            (
                "id",
                "person",
                "organisation",
                "worker",
                "due_on",
                "reason",
                "done_at",
                "done_by",
                "created_by",
                "created_at",
            ),
            rows.follow_ups,
        ),
        Table(
            "casework.Appointment",
            (
                "id",
                "person",
                "organisation",
                "worker",
                "starts_at",
                "duration_minutes",
                "place",
                "with_whom",
                "subject",
                "status",
                "status_changed_at",
                "created_by",
                "created_at",
            ),
            rows.appointments,
        ),
        Table(
            "casework.Responsibility",
            ("id", "person", "organisation", "worker", "since", "set_by"),
            rows.responsibilities,
        ),
    ]

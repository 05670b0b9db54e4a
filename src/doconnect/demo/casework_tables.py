"""The casework phases of the demo city: consents (to the institution responsible, the
city, providers), agreements at the start of unemployment with their items, and the
referrals behind offer spells plus open ones for today's unemployed. Dated relative to
the demo's today. Pure, no Django."""

from __future__ import annotations

import datetime as dt

import numpy as np

from doconnect.demo import careers as cr
from doconnect.demo.clients import AGREEMENT_TITLES, INSTITUTION_GUARANTEES, PERSON_COMMITMENTS
from doconnect.demo.dates import DEMO_TODAY, TODAY_DAY, first_day, iso_days, last_day, month_start
from doconnect.demo.districts import DISTRICTS
from doconnect.demo.offer_tables import OfferFacts
from doconnect.demo.organisation_tables import AGENCY_ID, CITY_ID, JOBCENTER_ID
from doconnect.demo.person_tables import Persons
from doconnect.demo.rows import IntArray, Row, Table, tolist

# people.Consent's purpose columns (ConsentPurpose), in its order.
PURPOSES = ("counselling", "placement", "case_conference", "monitoring")
# Referrals: the default answer period (DOCONNECT_REFERRAL_ANSWER_DAYS) and the coded
# decline reasons (referrals.models.DeclineReason).
ANSWER_DAYS = 14
DECLINE_REASONS = np.array(
    ["full", "not_eligible", "person_unreachable", "person_declined", "other"], dtype=object
)


def consent_tables(
    rng: np.random.Generator, persons: Persons, offer_provider: IntArray
) -> list[Table]:
    """Most persons consent to the institution responsible for them (the Jobcenter
    for SGB II, the employment agency for SGB III, the city's counselling for
    everybody else), many also to the city; participants to their providers; some
    consents expired, some were withdrawn.

    Purposes as consent forms tick them: the responsible institution's for counselling,
    mostly also for placement and in part for monitoring; a provider's for placement,
    mostly also for the support during the offer (counselling); a case conference's for
    that alone."""
    careers = persons.careers
    n = len(persons.first_month)
    first = np.minimum(persons.first_month, cr.N_MONTHS - 1)
    # The providers each person took part with, most recent last.
    with_offer = np.flatnonzero(careers.offer >= 0)
    providers_of: dict[int, list[int]] = {}
    for p, o in zip(
        careers.person[with_offer].tolist(), careers.offer[with_offer].tolist(), strict=True
    ):
        providers = providers_of.setdefault(p, [])
        provider = int(offer_provider[o])
        if provider in providers:
            providers.remove(provider)
        providers.append(provider)

    consent_rows: list[Row] = []
    org_rows: list[Row] = []
    u = rng.random((n, 6))
    offset_days = rng.integers(0, 28, (n, 3))
    withdraw_days = rng.integers(30, 400, n)
    responsible = np.array([CITY_ID, JOBCENTER_ID, AGENCY_ID])[persons.population.branch].tolist()
    for p in range(n):
        base_month = int(first[p])
        options: list[tuple[tuple[str, ...], list[int]]] = []
        home = responsible[p]
        if u[p, 0] < 0.85:
            orgs = [home]
            if home != CITY_ID and u[p, 1] < 0.55:
                orgs.append(CITY_ID)
            given: tuple[str, ...] = ("counselling",)
            if u[p, 2] < 0.75:
                given += ("placement",)
            if u[p, 2] < 0.35:
                given += ("monitoring",)
            options.append((given, orgs))
        elif u[p, 1] < 0.5:
            options.append((("counselling",), [CITY_ID]))
        providers = providers_of.get(p, [])
        if providers:
            at_provider = ("counselling", "placement") if u[p, 3] >= 0.3 else ("placement",)
            options.append((at_provider, providers[-2:]))
        if u[p, 3] < 0.08:
            conference = dict.fromkeys([home, CITY_ID, *providers[-1:]])
            options.append((("case_conference",), list(conference)))
        for k, (given, orgs) in enumerate(options):
            valid_from_date = month_start(base_month) + dt.timedelta(
                days=int(offset_days[p, min(k, 2)])
            )
            valid_from = valid_from_date.isoformat()
            roll = u[p, 4] if k == 0 else u[p, 5]
            withdrawn = None
            if roll < 0.08:  # expired before the demo's today
                until = min(
                    valid_from_date + dt.timedelta(days=730), DEMO_TODAY - dt.timedelta(days=20)
                )
                valid_until: str | None = max(until, valid_from_date).isoformat()
            elif roll < 0.12:  # withdrawn
                valid_until = None
                withdrawn_on = min(
                    valid_from_date + dt.timedelta(days=int(withdraw_days[p])),
                    DEMO_TODAY - dt.timedelta(days=3),
                )
                withdrawn = f"{max(withdrawn_on, valid_from_date).isoformat()} 10:15:00"
            elif roll < 0.55:
                valid_until = dt.date(2027 + int(roll * 10) % 3, 12, 31).isoformat()
            else:
                valid_until = None
            consent_id = len(consent_rows) + 1
            consent_rows.append(
                (
                    consent_id,
                    p + 1,
                    *(code in given for code in PURPOSES),
                    valid_from,
                    valid_until,
                    withdrawn,
                    None,
                    f"{valid_from} 09:30:00",
                )
            )
            for org in dict.fromkeys(orgs):
                org_rows.append((len(org_rows) + 1, consent_id, org))
    return [
        Table(
            "people.Consent",
            (
                "id",
                "person",
                *PURPOSES,
                "valid_from",
                "valid_until",
                "withdrawn_at",
                "recorded_by",
                "recorded_at",
            ),
            consent_rows,
        ),
        Table("people.Consent", ("id", "consent", "organisation"), org_rows, m2m="organisations"),
    ]


def agreement_tables(rng: np.random.Generator, persons: Persons) -> list[Table]:
    """Agreements at the start of unemployment spells of SGB II (and some SGB III)
    clients: two or three things the person does, one to three the institution
    guarantees; the latest one active while the person is still unemployed."""
    careers = persons.careers
    branch = persons.population.branch
    unemployed = np.flatnonzero(careers.state == cr.UNEMPLOYED)
    person = careers.person[unemployed]
    eligible = (branch[person] == 1) | ((branch[person] == 2) & (rng.random(len(person)) < 0.4))
    chosen = unemployed[eligible & (rng.random(len(person)) < 0.45)]
    count = len(chosen)
    person = careers.person[chosen]
    is_last = np.append(person[1:] != person[:-1], True)
    running = careers.end[chosen] == cr.OPEN
    concluded = first_day(careers.start[chosen]) + rng.integers(0, 27, count)
    u = rng.random((count, 3))
    status = np.where(
        running & is_last, np.where(u[:, 0] < 0.04, "draft", "active"), "closed"
    ).astype(object)
    organisation = np.where(branch[person] == 2, AGENCY_ID, JOBCENTER_ID)
    organisation[u[:, 1] < 0.1] = CITY_ID
    titles = np.array(AGREEMENT_TITLES, dtype=object)
    title = titles[(u[:, 2] * len(titles)).astype(np.int64)]
    agreement_rows = list(
        zip(
            range(1, count + 1),
            tolist(person + 1),
            tolist(organisation),
            tolist(title),
            iso_days(concluded),
            iso_days(concluded + 182),
            tolist(status),
            strict=True,
        )
    )

    # Items: for agreement k, n_person[k] commitments, then n_institution[k]
    # guarantees, each text drawn without repetition within its agreement.
    n_person = rng.integers(2, 4, count)
    n_institution = rng.integers(1, 4, count)
    per_agreement = n_person + n_institution
    agreement = np.repeat(np.arange(count), per_agreement)
    position = np.arange(len(agreement)) - np.repeat(
        np.cumsum(per_agreement) - per_agreement, per_agreement
    )
    is_person = position < n_person[agreement]
    commitment = rng.random((count, len(PERSON_COMMITMENTS))).argsort(axis=1)
    guarantee = rng.random((count, len(INSTITUTION_GUARANTEES))).argsort(axis=1)
    text_index = np.where(
        is_person,
        commitment[agreement, np.minimum(position, commitment.shape[1] - 1)],
        guarantee[agreement, np.maximum(position - n_person[agreement], 0)],
    )
    texts = np.where(
        is_person,
        np.array(PERSON_COMMITMENTS, dtype=object)[text_index],
        np.array(INSTITUTION_GUARANTEES, dtype=object)[text_index],
    )
    due = concluded[agreement] + rng.integers(14, 180, len(agreement))
    roll = rng.random(len(agreement))
    closed = status[agreement] == "closed"
    # Items left open past their due date are "überfällig": derived, never stored.
    item_status = np.where(
        closed,
        np.where(roll < 0.7, "done", np.where(roll < 0.9, "dropped", "open")),
        np.where(
            due < TODAY_DAY,
            np.where(roll < 0.6, "done", "open"),
            np.where(roll < 0.2, "done", "open"),
        ),
    )
    # The agreement's organisation guarantees its side; the person owns their own.
    owner = [
        None if p else org
        for p, org in zip(is_person, tolist(organisation[agreement]), strict=True)
    ]
    item_rows = list(
        zip(
            range(1, len(agreement) + 1),
            tolist(agreement + 1),
            tolist(np.where(is_person, "person", "institution")),
            tolist(texts),
            iso_days(due),
            tolist(item_status),
            owner,
            strict=True,
        )
    )
    return [
        Table(
            "agreements.Agreement",
            ("id", "person", "organisation", "title", "concluded_on", "review_on", "status"),
            agreement_rows,
        ),
        Table(
            "agreements.AgreementItem",
            ("id", "agreement", "side", "text", "due_on", "status", "owner_organisation"),
            item_rows,
        ),
    ]


def referral_table(rng: np.random.Generator, persons: Persons, offers: OfferFacts) -> Table:
    """A referral behind most offer spells (completed, dropped out, started or
    cancelled) and open ones for some of the persons unemployed today, each with
    the day it was sent and answered (for the answer statistics)."""
    careers = persons.careers
    spells = np.flatnonzero((careers.offer >= 0) & (rng.random(len(careers.offer)) < 0.75))
    running = careers.end[spells] == cr.OPEN
    start = first_day(careers.start[spells])
    created = start - rng.integers(3, 30, len(spells))
    updated = np.where(running, start, last_day(np.maximum(careers.end[spells], 0)))
    roll = rng.random(len(spells))
    status = np.where(
        running,
        "started",
        np.where(roll < 0.06, "cancelled", np.where(roll < 0.18, "dropped_out", "completed")),
    )
    person = careers.person[spells]
    offer = careers.offer[spells]
    created_at = iso_days(created, " 09:00:00")
    updated_at = iso_days(updated, " 16:00:00")
    # Sent the day after the proposal, answered within a week, before the start.
    sent = created + 1
    answered = sent + np.minimum(rng.integers(0, 7, len(spells)), start - sent - 1)
    sent_at: list[str | None] = list(iso_days(sent, " 09:30:00"))
    answered_at: list[str | None] = list(iso_days(answered, " 14:00:00"))
    reasons: list[str] = [""] * len(spells)

    # Open referrals for some of today's unemployed, to offers running now, in
    # their own district where there is one.
    now_unemployed = np.flatnonzero((careers.state == cr.UNEMPLOYED) & (careers.end == cr.OPEN))
    picked = careers.person[now_unemployed[rng.random(len(now_unemployed)) < 0.3]]
    running_offers = np.flatnonzero(offers.running_now)
    if len(running_offers) and len(picked):
        u = rng.random(len(picked))
        target = running_offers[(u * len(running_offers)).astype(np.int64)]
        home = persons.population.district[picked]
        for d in range(len(DISTRICTS)):
            local = running_offers[offers.district[running_offers] == d]
            here = home == d
            if len(local) and here.any():
                target[here] = local[(u[here] * len(local)).astype(np.int64)]
        open_status = np.array(["proposed", "sent", "accepted", "declined"], dtype=object)
        roll = rng.random(len(picked))
        when = TODAY_DAY - rng.integers(1, 60, len(picked))
        chosen = open_status[np.searchsorted([0.35, 0.7, 0.9], roll, side="right")]
        # Sent referrals nobody answered within the default 14 days have expired.
        chosen = np.where((chosen == "sent") & (when < TODAY_DAY - ANSWER_DAYS), "expired", chosen)
        answer_day = when + np.minimum(rng.integers(0, 10, len(picked)), TODAY_DAY - when)
        was_sent = chosen != "proposed"
        was_answered = (chosen == "accepted") | (chosen == "declined")
        sent_texts = iso_days(when, " 11:00:00")
        answer_texts = iso_days(answer_day, " 15:00:00")
        person = np.concatenate([person, picked])
        offer = np.concatenate([offer, target])
        status = np.concatenate([status, chosen])
        created_at += iso_days(when, " 10:30:00")
        updated_at += iso_days(when, " 10:30:00")
        sent_at += [t if s else None for t, s in zip(sent_texts, was_sent, strict=True)]
        answered_at += [t if a else None for t, a in zip(answer_texts, was_answered, strict=True)]
        codes = DECLINE_REASONS[rng.integers(0, len(DECLINE_REASONS), len(picked))]
        reasons += [str(c) if s == "declined" else "" for c, s in zip(codes, chosen, strict=True)]
    count = len(person)
    rows = list(
        zip(
            range(1, count + 1),
            tolist(person + 1),
            tolist(offer + 1),
            tolist(status),
            [None] * count,
            created_at,
            updated_at,
            sent_at,
            answered_at,
            reasons,
            [None] * count,
            strict=True,
        )
    )
    return Table(
        "referrals.Referral",
        (
            "id",
            "person",
            "offer",
            "status",
            "created_by",
            "created_at",
            "updated_at",
            "sent_at",
            "answered_at",
            "decline_reason",
            "reminded_at",
        ),
        rows,
    )

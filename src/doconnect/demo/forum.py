"""The demo city's labour-policy conference (pure: the standard library and NumPy's
random generator, no Django): a union and civic initiatives besides the public bodies,
actor profiles, the programmes of the city, the Jobcenter, the Agentur and the Land,
three working groups, five sessions held and one planned (agenda, documents,
participants, minutes, decisions) and some twenty commitments in every status, some
overdue, some public.

The conference's actors are in ``forum_actors``, its sessions, decisions and
commitments in ``forum_sessions``. ``build_forum`` returns ``(model, fields, rows, m2m)``
tuples in load order; the generator's ``forum`` phase wraps them into its ``Table``s.
Organisation ids continue after the ones the generator has handed out; everything else
starts at 1."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from doconnect.demo.forum_actors import (
    AGENCY,
    CITY,
    COLLEGES,
    DESCRIPTIONS,
    EXTRA_ORGANISATIONS,
    HWK,
    IHK,
    JOBCENTER,
    POLICY_BY_KIND,
    PROGRAMMES,
    STATE,
    WORKING_GROUPS,
)
from doconnect.demo.forum_sessions import (
    AGENDAS,
    COMMITMENTS,
    DECISION_SESSION,
    DECISIONS,
    SESSIONS,
    STATUS_REASONS,
)
from doconnect.demo.rows import Row

TableSpec = tuple[str, tuple[str, ...], list[Row], str | None]


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

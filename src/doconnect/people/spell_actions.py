"""Recording, correcting and ending a spell of a person's biography *on behalf of a
viewer*. The person page's forms, the API (``POST /api/persons/{id}/spells``, ``PATCH
…/spells/{spell_id}``) and any import call these, with the overlap rule the spells
import applies (``biography.overlap_conflicts``: two main states may not overlap; side
states — marginal employment, care, further training, an offer — may run beside any).

Who may (``editing_access``): coordinators and case workers who see the person with
personal data, every spell; provider staff, for their own participants under consent,
the spells their organisation reports or that run in their own offers — a provider
records a spell as itself (the source organisation) and only in its own offers, so it
cannot tie a person to another provider's offer (which would open the file to that
provider). Analysts and admins never.

Errors name the field that is wrong: an overlap is told at ``start`` when the spell
begins inside another one, at ``end`` when it runs into the next (an open spell runs
into every later one), at ``state`` when only the state changed (a side state becoming
a main one). Each change is audited as a ``change`` naming the fields (``spells.start``…).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from doconnect.core.models import Organisation, OrganisationKind, Role
from doconnect.core.refusals import ConflictsWithState
from doconnect.core.viewers import Viewer
from doconnect.offers.models import Offer
from doconnect.people.access import PersonNotFound, audit_change
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.biography import SpellSpan, overlap_conflicts
from doconnect.people.editing_access import EditScope, person_for_editing
from doconnect.people.models import Person, Spell, SpellState
from doconnect.people.services import spell_create

# Zweckbindung: changing a file is counselling work, as the person page is.
PURPOSE = Purpose.COUNSELLING

SPELL_FIELDS: tuple[str, ...] = ("state", "start", "end", "source_organisation", "offer", "kldb")
_KLDB = re.compile(r"\d{5}")


class SpellChanges(TypedDict, total=False):
    """A spell's fields; absent ones stay. Organisation and offer by external id."""

    state: str
    start: dt.date
    end: dt.date | None
    source_organisation: str | None
    offer: str | None
    kldb: str


def may_change_spell(viewer: Viewer, scope: EditScope, spell: Spell) -> bool:
    """Whether a viewer with this scope for the spell's person may correct or end it."""
    if scope is EditScope.ALL:
        return True
    if scope is EditScope.OWN:
        own = viewer.orgs_with(Role.PROVIDER_STAFF)
        return spell.source_organisation_id in own or (
            spell.offer is not None and spell.offer.provider_id in own
        )
    return False


def _day(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _resolved(given: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The given values as model values (organisation and offer looked up)."""
    values = dict(given)
    if "state" in given and given["state"] not in SpellState.values:
        errors["state"] = _("Unbekannter Status „%(value)s“.") % {"value": given["state"]}
    if "kldb" in given:
        kldb = values["kldb"] = (given["kldb"] or "").strip()
        if kldb and not _KLDB.fullmatch(kldb):
            errors["kldb"] = _("Bitte den Beruf als fünfstelligen KldB-2010-Schlüssel angeben.")
    if given.get("source_organisation"):
        key = given["source_organisation"]
        organisation = (
            Organisation.objects.exclude(kind=OrganisationKind.EMPLOYER)
            .filter(external_id=key)
            .first()
        )
        if organisation is None:
            errors["source_organisation"] = _("Unbekannte Organisation „%(key)s“.") % {"key": key}
        values["source_organisation"] = organisation
    elif "source_organisation" in given:
        values["source_organisation"] = None
    if given.get("offer"):
        offer = Offer.objects.filter(external_id=given["offer"]).first()
        if offer is None:
            errors["offer"] = _("Unbekanntes Angebot „%(key)s“.") % {"key": given["offer"]}
        values["offer"] = offer
    elif "offer" in given:
        values["offer"] = None
    return values


def _provider_limits(viewer: Viewer, values: dict[str, Any], errors: dict[str, str]) -> None:
    """Provider staff report as their own organisation and only in their own offers."""
    own = viewer.orgs_with(Role.PROVIDER_STAFF)
    organisation = values.get("source_organisation")
    if "source_organisation" in values and (organisation is None or organisation.pk not in own):
        errors["source_organisation"] = _("Träger erfassen Abschnitte als eigene Organisation.")
    offer = values.get("offer")
    if offer is not None and offer.provider_id not in own:
        errors["offer"] = _("Träger erfassen nur Abschnitte in eigenen Angeboten.")


def _overlap_errors(
    person: Person, new: SpellSpan, *, exclude: int | None, state_only: bool
) -> dict[str, list[str]]:
    """The overlap rule of the import, each conflict at the field that causes it."""
    spells = Spell.objects.filter(person=person)
    if exclude is not None:
        spells = spells.exclude(pk=exclude)
    others = [SpellSpan(s.state, s.start, s.end, ref=s.pk) for s in spells]
    errors: dict[str, list[str]] = {}
    for first, second in overlap_conflicts([*others, new]):
        if new not in (first, second):
            continue  # an old conflict (say from before the rule) is not this change's
        other = second if first is new else first
        if state_only:
            field = "state"
        elif other.start <= new.start <= (other.end or dt.date.max):
            field = "start"
        else:
            field = "end"
        errors.setdefault(field, []).append(
            _("Überschneidet sich mit „%(state)s“ vom %(start)s bis %(end)s.")
            % {
                "state": SpellState(other.state).label
                if other.state in SpellState.values
                else other.state,
                "start": _day(other.start),
                "end": _day(other.end) if other.end else _("heute (laufend)"),
            }
        )
    return errors


def _check(
    person: Person,
    spell: Spell | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Dates in order and no overlap; raises ValidationError with every bad field:
    ConflictsWithState where the change clashes with what is stored (a date against
    the spell's stored other date, an overlap with another spell), so that the API can
    answer 409 there and 422 for a request that contradicts itself."""
    state = values.get("state", spell.state if spell else "")
    start = values.get("start", spell.start if spell else None)
    end = values.get("end", spell.end if spell else None)
    problems: dict[str, list[str]] = {name: [message] for name, message in errors.items()}
    conflicts: dict[str, list[str]] = {}
    if start is not None and end is not None and end < start:
        # At the field that was changed: a new start after the old end is the start's.
        field = "start" if spell is not None and "end" not in values else "end"
        own = spell is None or {"start", "end"} <= set(values)
        (problems if own else conflicts).setdefault(field, []).append(
            _("Das Ende (%(end)s) liegt vor dem Beginn (%(start)s).")
            % {"end": _day(end), "start": _day(start)}
        )
    if problems:
        for name, messages in conflicts.items():
            problems.setdefault(name, []).extend(messages)
        raise ValidationError(problems)
    if not conflicts and start is not None and state in SpellState.values:
        dates_changed = spell is None or {"start", "end"} & set(values)
        conflicts.update(
            _overlap_errors(
                person,
                SpellSpan(state, start, end, ref="new"),
                exclude=spell.pk if spell else None,
                state_only=not dates_changed,
            )
        )
    if conflicts:
        raise ConflictsWithState(conflicts)


def _audit(viewer: Viewer, person: Person, level: Level, fields: list[str], view: str) -> None:
    audit_change(
        viewer,
        person.public_id,
        level,
        [f"spells.{name}" for name in fields],
        view=view,
        purpose=PURPOSE,
    )


@transaction.atomic
def spell_record_as(
    viewer: Viewer,
    *,
    public_id: str,
    state: str,
    start: dt.date,
    end: dt.date | None = None,
    source_organisation: str | None = None,
    offer: str | None = None,
    kldb: str = "",
    view: str,
) -> Spell:
    """Add a spell to the person's biography, as this viewer. Without a source
    organisation, provider staff with one organisation report as it. PersonNotFound,
    PermissionDenied, or ValidationError by field (overlap, dates, unknown codes)."""
    person, level, scope = person_for_editing(viewer, public_id, lock=True)
    own = sorted(viewer.orgs_with(Role.PROVIDER_STAFF))
    if source_organisation is None and scope is EditScope.OWN and len(own) == 1:
        source_organisation = viewer.organisation_keys.get(own[0])
    errors: dict[str, str] = {}
    given = {
        "state": state,
        "start": start,
        "end": end,
        "source_organisation": source_organisation,
        "offer": offer,
        "kldb": kldb,
    }
    values = _resolved(given, errors)
    if scope is EditScope.OWN:
        _provider_limits(viewer, values, errors)
    _check(person, None, values, errors)
    offer_row = values["offer"]
    spell = spell_create(
        person=person,
        state=state,
        start=start,
        end=end,
        source_organisation=values["source_organisation"],
        offer_id=offer_row.pk if offer_row is not None else None,
        kldb=values["kldb"],
    )
    _audit(viewer, person, level, [name for name in SPELL_FIELDS if given[name]], view)
    return spell


def spell_for_change(viewer: Viewer, *, public_id: str, spell_id: int) -> tuple[Spell, EditScope]:
    """A spell of this person the viewer may correct or end (for the pages, which ask
    before showing a form); PersonNotFound for an invisible person or a spell that is
    not theirs, PermissionDenied for a spell the viewer may not change."""
    person, _level, scope = person_for_editing(viewer, public_id)
    spell = _spell_of(person, spell_id)
    if not may_change_spell(viewer, scope, spell):
        raise PermissionDenied(
            _("Träger ändern nur Abschnitte, die sie melden oder die in ihren Angeboten laufen.")
        )
    return spell, scope


def _spell_of(person: Person, spell_id: int) -> Spell:
    spell = (
        Spell.objects.select_related("offer", "source_organisation")
        .filter(pk=spell_id, person=person)
        .first()
    )
    if spell is None:
        raise PersonNotFound(f"spell {spell_id}")
    return spell


def _spell_change(
    viewer: Viewer, public_id: str, spell_id: int, given: dict[str, Any], view: str
) -> Spell:
    person, level, scope = person_for_editing(viewer, public_id, lock=True)
    spell = _spell_of(person, spell_id)
    if not may_change_spell(viewer, scope, spell):
        raise PermissionDenied(
            _("Träger ändern nur Abschnitte, die sie melden oder die in ihren Angeboten laufen.")
        )
    unknown = sorted(set(given) - set(SPELL_FIELDS))
    if unknown:
        raise ValidationError({name: _("Nicht änderbar.") for name in unknown})
    current = {
        "state": spell.state,
        "start": spell.start,
        "end": spell.end,
        "source_organisation": spell.source_organisation,
        "offer": spell.offer,
        "kldb": spell.kldb,
    }
    errors: dict[str, str] = {}
    values = {
        name: value
        for name, value in _resolved(given, errors).items()
        if name in errors or value != current[name]
    }
    if scope is EditScope.OWN:
        _provider_limits(viewer, values, errors)
    if "start" in values and values["start"] is None:
        errors["start"] = _("Bitte einen Beginn angeben.")
    _check(person, spell, values, errors)
    if not values:
        return spell
    for name, value in values.items():
        setattr(spell, name, value)
    spell.save(update_fields=list(values))
    _audit(viewer, person, level, list(values), view)
    return spell


@transaction.atomic
def spell_correct_as(
    viewer: Viewer,
    *,
    public_id: str,
    spell_id: int,
    view: str,
    **changes: Unpack[SpellChanges],
) -> Spell:
    """Correct the given fields of one spell of the person, as this viewer (fields left
    out stay). PersonNotFound for an invisible person or another person's spell,
    PermissionDenied for a spell the viewer may not change, ValidationError by field."""
    return _spell_change(viewer, public_id, spell_id, dict(changes), view)


@transaction.atomic
def spell_end_as(
    viewer: Viewer, *, public_id: str, spell_id: int, end: dt.date, view: str
) -> Spell:
    """End a running spell on ``end`` (inclusive), as this viewer. A spell that has
    ended already is corrected, not ended (ValidationError at ``end``)."""
    spell, _scope = spell_for_change(viewer, public_id=public_id, spell_id=spell_id)
    if spell.end is not None:
        raise ValidationError(
            {
                "end": _("Der Abschnitt ist schon am %(end)s beendet; bitte korrigieren.")
                % {"end": _day(spell.end)}
            }
        )
    return _spell_change(viewer, public_id, spell_id, {"end": end}, view)

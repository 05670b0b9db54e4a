"""Merging two records of one person (Zusammenführung) *on behalf of a coordinator*: one
record stays, the other's history moves into it, and the other's pseudonym stays
findable (``MergedPerson``). The duplicates page and ``POST
/api/duplicates/{id}/merge`` call this.

Who may: coordinators only, and only where a valid consent of *each* person covers the
coordinator's organisation (the city): merging reads and joins both files with their
names. A person the viewer does not see at all is "not found" (PersonNotFound).

What moves: the spells (the overlap rules of ``biography`` still hold: an overlap
refuses the merge naming the spells, and nothing is changed; a spell both records hold
identically is kept once), the consents of both, and every other row that points at
the person (agreements, referrals, allocation outcomes, case work…), found through the
models' foreign keys so a new model is included without a change here. Where a row may
exist only once per person (one allocation outcome per run, one responsible worker per
organisation) and both records hold one, the kept record's stays and the other's is
removed; the result names them. Empty personal fields and pseudonymous facts of the
kept record are filled from the other. Both pseudonyms get a ``change`` audit event;
the audit trail of the other pseudonym stays as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import AuditAction, Role
from doconnect.core.refusals import ConflictsWithState
from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonNotFound, audit_reads, consents_opening, levels_for
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.biography import SpellSpan, overlap_conflicts
from doconnect.people.models import (
    DuplicateCandidate,
    DuplicateStatus,
    Gender,
    MergedPerson,
    Person,
    PersonalDetails,
    SchoolQualification,
    Spell,
    VocationalQualification,
)

# Zweckbindung: merging duplicates keeps the counselling file whole.
PURPOSE = Purpose.COUNSELLING

# Rows this module moves itself, not through the generic foreign-key walk.
_HANDLED = (PersonalDetails, DuplicateCandidate)
# Personal fields an empty kept value takes from the other record.
_FILLED_DETAILS = ("email", "phone", "street", "postcode", "address_district")


@dataclass(frozen=True)
class MergeResult:
    kept: Person
    merged_public_id: str
    # Rows moved into the kept record, and rows of the other record removed because
    # the kept one held the same already, by model (verbose name).
    moved: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)


def may_merge(viewer: Viewer) -> bool:
    return viewer.has_role(Role.COORDINATOR)


def city_consented(viewer: Viewer, person_ids: list[int], *, today: dt.date) -> set[int]:
    """The persons among ``person_ids`` with a valid consent for counselling covering
    one of the organisations the viewer coordinates for."""
    return set(
        consents_opening(PURPOSE, today)
        .filter(person_id__in=person_ids, organisations__in=viewer.orgs_with(Role.COORDINATOR))
        .values_list("person_id", flat=True)
    )


@transaction.atomic
def person_merge_as(viewer: Viewer, *, keep: str, other: str, view: str) -> MergeResult:
    """Merge the record ``other`` into ``keep`` (public ids), as this viewer.

    PersonNotFound (a record the viewer does not see, or unknown), PermissionDenied
    (not a coordinator, or a person without a valid consent covering the city),
    ValidationError (the same record twice; overlapping spells, named)."""
    persons = {
        p.public_id: p
        for p in Person.objects.select_for_update().filter(public_id__in=[keep, other])
    }
    if keep not in persons or other not in persons:
        raise PersonNotFound(keep if keep not in persons else other)
    kept, merged = persons[keep], persons[other]
    if kept.pk == merged.pk:
        raise ValidationError(_("Eine Person kann nicht mit sich selbst zusammengeführt werden."))
    today = timezone.localdate()
    levels = levels_for(viewer, [kept.pk, merged.pk], today=today, purpose=PURPOSE)
    for person in (kept, merged):
        if levels[person.pk] is Level.NONE:
            raise PersonNotFound(person.public_id)
    if not may_merge(viewer):
        raise PermissionDenied(_("Nur die Koordination führt Personen zusammen."))
    if city_consented(viewer, [kept.pk, merged.pk], today=today) != {kept.pk, merged.pk}:
        raise PermissionDenied(
            _(
                "Zusammenführen geht nur, wenn eine gültige Einwilligung beider Personen "
                "die Stadt einschließt."
            )
        )
    dropped: Counter[str] = Counter()
    dropped.update(_drop_identical_spells(kept, merged))
    _refuse_overlaps(kept, merged)
    _merge_details(kept, merged)
    _merge_record(kept, merged)
    _move_candidates(viewer, kept, merged)
    moved: Counter[str] = Counter()
    for model, fk in _links_to_person():
        count, gone = _move_rows(model, fk, kept, merged)
        if model._meta.auto_created:
            continue  # many-to-many rows (target groups) are no records of their own
        if count:
            moved[str(model._meta.verbose_name_plural)] += count
        dropped.update(gone)
    MergedPerson.objects.create(
        public_id=merged.public_id,
        merged_into=kept,
        source_organisation_id=merged.source_organisation_id,
        source_id=merged.source_id,
        merged_by_id=viewer.user_id,
    )
    merged_public_id = merged.public_id
    merged.delete()
    audit_reads(
        viewer,
        [(kept.public_id, Level.PERSONAL), (merged_public_id, Level.PERSONAL)],
        view=view,
        purpose=PURPOSE,
        action=AuditAction.CHANGE,
        fields=["merged", f"kept:{kept.public_id}", f"merged:{merged_public_id}"],
    )
    return MergeResult(kept, merged_public_id, dict(moved), dict(dropped))


def _spell_key(spell: Spell) -> tuple[Any, ...]:
    return (spell.state, spell.start, spell.end, spell.offer_id)


def _drop_identical_spells(kept: Person, merged: Person) -> Counter[str]:
    """A spell both records hold (same state, dates and offer) is kept once."""
    held = {_spell_key(s) for s in Spell.objects.filter(person=kept)}
    twins = [s.pk for s in Spell.objects.filter(person=merged) if _spell_key(s) in held]
    if twins:
        Spell.objects.filter(pk__in=twins).delete()
    return Counter({str(Spell._meta.verbose_name_plural): len(twins)} if twins else {})


def _describe(spell: Spell, public_id: str) -> str:
    end = spell.end.isoformat() if spell.end else _("offen")
    return f"{public_id}: {spell.get_state_display()} {spell.start.isoformat()}–{end}"


def _refuse_overlaps(kept: Person, merged: Person) -> None:
    spells = Spell.objects.filter(person__in=[kept, merged]).order_by("start", "pk")
    # Only overlaps the merge would make: one spell of each record.
    conflicts = [
        (first.ref, second.ref)
        for first, second in overlap_conflicts(
            [SpellSpan(s.state, s.start, s.end, ref=s) for s in spells]
        )
        if isinstance(first.ref, Spell)
        and isinstance(second.ref, Spell)
        and first.ref.person_id != second.ref.person_id
    ]
    if not conflicts:
        return
    owner = {kept.pk: kept.public_id, merged.pk: merged.public_id}
    lines = []
    for a, b in conflicts:
        lines.append(
            _("%(first)s überschneidet sich mit %(second)s")
            % {
                "first": _describe(a, owner[a.person_id]),
                "second": _describe(b, owner[b.person_id]),
            }
        )
    raise ConflictsWithState(
        {
            "spells": [
                _(
                    "Die Episoden beider Personen überschneiden sich; bitte erst die "
                    "Biographie berichtigen. Nichts wurde geändert."
                ),
                *lines,
            ]
        }
    )


def _merge_details(kept: Person, merged: Person) -> None:
    theirs = PersonalDetails.objects.filter(person=merged).first()
    if theirs is None:
        return
    ours = PersonalDetails.objects.filter(person=kept).first()
    if ours is None:  # the kept record had no names: it takes the other's
        theirs_values = {
            f.attname: getattr(theirs, f.attname) for f in theirs._meta.concrete_fields
        }
        theirs.delete()
        theirs_values["person_id"] = kept.pk
        PersonalDetails(**theirs_values).save(force_insert=True)
        return
    filled = []
    for name in _FILLED_DETAILS:
        attname = _attname(PersonalDetails, name)
        if not getattr(ours, attname) and getattr(theirs, attname):
            setattr(ours, attname, getattr(theirs, attname))
            filled.append(name)
    if filled:
        ours.save(update_fields=filled)
    theirs.delete()


def _merge_record(kept: Person, merged: Person) -> None:
    """Fill what the kept record does not know from the other one."""
    unknown = {
        "gender": Gender.UNSPECIFIED,
        "school_qualification": SchoolQualification.UNKNOWN,
        "vocational_qualification": VocationalQualification.UNKNOWN,
        "goal": "",
    }
    changed = []
    for name, empty in unknown.items():
        if getattr(kept, name) == empty and getattr(merged, name) != empty:
            setattr(kept, name, getattr(merged, name))
            changed.append(name)
    for name in ("birth_year", "district_id"):
        if getattr(kept, name) is None and getattr(merged, name) is not None:
            setattr(kept, name, getattr(merged, name))
            changed.append(name.removesuffix("_id"))
    for name in ("strengths", "support_needs"):
        joined = [
            *getattr(kept, name),
            *(t for t in getattr(merged, name) if t not in getattr(kept, name)),
        ]
        if joined != getattr(kept, name):
            setattr(kept, name, joined)
            changed.append(name)
    if not kept.preferred_offer_kinds and merged.preferred_offer_kinds:
        kept.preferred_offer_kinds = merged.preferred_offer_kinds
        changed.append("preferred_offer_kinds")
    if changed:
        kept.save(update_fields=changed)


def _move_candidates(viewer: Viewer, kept: Person, merged: Person) -> None:
    """The queue follows the merge: the pair itself is decided, other pairs of the
    merged record now concern the kept one (and a pair that became twice the same is
    dropped)."""
    now = timezone.now()
    pairs = DuplicateCandidate.objects.filter(
        Q(first=merged) | Q(second=merged) | Q(first=kept) | Q(second=kept)
    ).order_by("found_at", "pk")
    seen: set[frozenset[int]] = set()
    for pair in pairs:
        this_pair = {pair.first_id, pair.second_id} == {kept.pk, merged.pk}
        if this_pair and pair.status == DuplicateStatus.OPEN:
            pair.status = DuplicateStatus.MERGED
            pair.decided_by_id = viewer.user_id
            pair.decided_at = now
            pair.merged_public_id = merged.public_id
        if pair.first_id == merged.pk:
            pair.first_id = kept.pk
        if pair.second_id == merged.pk:
            pair.second_id = kept.pk
        members = frozenset((pair.first_id, pair.second_id))
        if pair.status == DuplicateStatus.OPEN and members in seen:
            pair.delete()
            continue
        if pair.status == DuplicateStatus.OPEN:
            seen.add(members)
        pair.save()


def _links_to_person() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every foreign key (and one-to-one key) to Person in every installed model, the
    many-to-many tables included, except the ones this module handles itself."""
    links = []
    for model in apps.get_models(include_auto_created=True):
        if model in _HANDLED:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is Person:
                links.append((model, f))
    return links


def _attname(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.attname)


def _unique_sets(
    model: type[models.Model], fk: models.ForeignKey[Any, Any]
) -> list[tuple[list[str], Q | None]]:
    """The other fields of each uniqueness rule that includes ``fk`` (with the rule's
    condition): rows of both records equal in them cannot both stay."""
    sets: list[tuple[list[str], Q | None]] = []
    if fk.unique:
        sets.append(([], None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and fk.name in constraint.fields:
            others = [_attname(model, n) for n in constraint.fields if n != fk.name]
            sets.append((others, constraint.condition))
    for together in model._meta.unique_together:
        if fk.name in together:
            sets.append(([_attname(model, n) for n in together if n != fk.name], None))
    return sets


def _move_rows(
    model: type[models.Model], fk: models.ForeignKey[Any, Any], kept: Person, merged: Person
) -> tuple[int, Counter[str]]:
    """Point the rows of ``merged`` at ``kept``; rows that would break a uniqueness
    rule are removed instead. Returns (moved, removed by model)."""
    manager = model._base_manager
    kept_value = getattr(kept, fk.target_field.attname)
    merged_value = getattr(merged, fk.target_field.attname)
    theirs = manager.filter(**{fk.attname: merged_value})
    clashing: set[Any] = set()
    for others, condition in _unique_sets(model, fk):
        ours = manager.filter(**{fk.attname: kept_value})
        candidates = theirs
        if condition is not None:
            ours, candidates = ours.filter(condition), candidates.filter(condition)
        if not others:
            if ours.exists():
                clashing |= set(candidates.values_list("pk", flat=True))
            continue
        held = set(ours.values_list(*others))
        clashing |= {
            row[0] for row in candidates.values_list("pk", *others) if tuple(row[1:]) in held
        }
    removed: Counter[str] = Counter()
    if clashing:
        _total, by_label = manager.filter(pk__in=clashing).delete()
        for label, count in by_label.items():
            removed[str(apps.get_model(label)._meta.verbose_name_plural)] += count
    moved = theirs.update(**{fk.attname: kept_value})
    return moved, removed


def merged_into(viewer: Viewer, public_id: str) -> str | None:
    """The public id a merged pseudonym now leads to, if the viewer sees that record
    (at least pseudonymously); None otherwise, so a refusal looks like an unknown id."""
    alias = MergedPerson.objects.select_related("merged_into").filter(public_id=public_id).first()
    if alias is None:
        return None
    kept = alias.merged_into
    if levels_for(viewer, [kept.pk], purpose=PURPOSE)[kept.pk] is Level.NONE:
        return None
    return kept.public_id

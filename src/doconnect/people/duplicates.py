"""Finding possible duplicates of a person about to be registered, queueing them for the
coordinators, and keeping the match keys in step.

The check (``CandidateFinder.find``) has two ways in, in one query:

- the keyed hash (``PersonalDetails.match_key``, indexed) of the normalised name and
  birth date: the same person however the name was typed (case, umlauts, accents,
  hyphens, swapped given and family name);
- a fuzzy comparison of the names (``matching.fuzzy_score``, rapidfuzz) within a block
  of the same birth year, and there only the persons born in the same month or on the
  same day of a month (or with day and month swapped): typos in the name, and a slip
  in the birth date. The block keeps the check to a few hundred rows at 100,000
  persons (``bench/person_register.py``).

The finder knows nothing of access: it looks at *every* person, and
``registration.person_register_as`` decides which candidates the user may see. Names
read here are compared and never shown; a name shown to a user goes through the access
rules and is audited there.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from rapidfuzz import fuzz, process

from doconnect.people.matching import CLOSE_DATE_THRESHOLD, NameForms, fuzzy_score
from doconnect.people.models import (
    DuplicateCandidate,
    DuplicateReason,
    Person,
    PersonalDetails,
    match_key_of,
)

# More candidates than this for one person help nobody decide; the best are kept.
MAX_CANDIDATES = 10
# How many rows ``match_keys_fill`` reads and writes at a time.
FILL_BATCH = 2000


@dataclass(frozen=True)
class Candidate:
    """A person who may be the same as the one being registered."""

    person_id: int
    reason: str  # DuplicateReason
    score: int  # 0–100


# Slots: a bulk import keeps one per person born in the years its lines are born in.
@dataclass(frozen=True, slots=True)
class _Known:
    person_id: int
    forms: NameForms
    birth_date: dt.date | None  # only a row found by its key can lack one
    match_key: str


def _swapped(day: dt.date) -> dt.date | None:
    """The date with day and month swapped, if that is a date."""
    if day.day > 12 or day.day == day.month:
        return None
    try:
        return dt.date(day.year, day.day, day.month)
    except ValueError:
        return None


@dataclass
class _Names:
    """Persons with their name forms side by side, so that rapidfuzz compares one name
    with all of them in a single call (a bulk import asks this some 10,000 times)."""

    known: list[_Known] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    compact: list[str] = field(default_factory=list)

    def add(self, known: _Known) -> None:
        self.known.append(known)
        self.parts.append(known.forms.parts)
        self.compact.append(known.forms.compact)

    def alike(self, forms: NameForms, cutoff: float) -> list[_Known]:
        """Those whose name reaches ``cutoff`` by the sorted parts or by the compact
        fields (``matching.name_similarity`` without subsets)."""
        hits = {
            index
            for choices, name in ((self.parts, forms.parts), (self.compact, forms.compact))
            for _choice, _score, index in process.extract(
                name, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            )
        }
        return [self.known[index] for index in sorted(hits)]


@dataclass
class _YearBlock:
    """The persons born in one year, by birth date, by month and by day of the month."""

    by_date: dict[dt.date, list[_Known]] = field(default_factory=lambda: defaultdict(list))
    by_month: dict[int, _Names] = field(default_factory=lambda: defaultdict(_Names))
    by_day: dict[int, _Names] = field(default_factory=lambda: defaultdict(_Names))

    def add(self, known: _Known) -> None:
        assert known.birth_date is not None  # read by birth year
        self.by_date[known.birth_date].append(known)
        self.by_month[known.birth_date.month].add(known)
        self.by_day[known.birth_date.day].add(known)

    def near(self, day: dt.date, forms: NameForms) -> Iterable[_Known]:
        """Everybody ``matching.fuzzy_score`` may pair with this name and birth date:
        all born that day and on the swapped date, and of those born in the same month
        or on the same day of another month only the nearly identical names (another
        birth date needs ``CLOSE_DATE_THRESHOLD``; rapidfuzz sorts out the rest in C)."""
        yield from self.by_date.get(day, ())
        month, same_day = self.by_month.get(day.month), self.by_day.get(day.day)
        if month is not None:
            yield from (k for k in month.alike(forms, CLOSE_DATE_THRESHOLD) if k.birth_date != day)
        if same_day is not None:
            yield from (
                k
                for k in same_day.alike(forms, CLOSE_DATE_THRESHOLD)
                if k.birth_date is not None and k.birth_date.month != day.month
            )
        swapped = _swapped(day)
        if swapped is not None:
            yield from self.by_date.get(swapped, ())


def _known(rows: Iterable[tuple[int, str, str, dt.date | None, str]]) -> Iterable[_Known]:
    for person_id, given, family, birth, key in rows:
        yield _Known(person_id, NameForms.of(given, family), birth, key)


_COLUMNS = ("person_id", "given_name", "family_name", "birth_date", "match_key")


class CandidateFinder:
    """Finds the possible duplicates of a name and birth date among all persons.

    One finder per registration asks the database each time, for the block of that
    birth date only. A bulk import makes one finder with ``whole_years=True`` and
    passes it to every registration: it reads each birth year once, keeps it, and
    learns each person registered through it (``add``), so a file of 10,000 persons
    costs a few dozen queries instead of 10,000.
    """

    def __init__(self, *, whole_years: bool = False) -> None:
        self.whole_years = whole_years
        self._years: dict[int, _YearBlock] = {}

    def find(
        self,
        given_name: str,
        family_name: str,
        birth_date: dt.date,
        *,
        exclude: Collection[int] = (),
    ) -> list[Candidate]:
        """The persons that may be this one, best first (at most ``MAX_CANDIDATES``)."""
        key = match_key_of(given_name, family_name, birth_date)
        forms = NameForms.of(given_name, family_name)
        found: dict[int, Candidate] = {}
        for known in self._near(birth_date, key, forms):
            if known.person_id in exclude:
                continue
            if known.match_key == key:
                candidate = Candidate(known.person_id, DuplicateReason.SAME_KEY, 100)
            else:
                if known.birth_date is None:
                    continue
                score = fuzzy_score(forms, birth_date, known.forms, known.birth_date)
                if score is None:
                    continue
                candidate = Candidate(known.person_id, DuplicateReason.SIMILAR_NAME, round(score))
            previous = found.get(known.person_id)
            if previous is None or candidate.score > previous.score:
                found[known.person_id] = candidate
        ranked = sorted(found.values(), key=lambda c: (-c.score, c.person_id))
        return ranked[:MAX_CANDIDATES]

    def add(self, person_id: int, given_name: str, family_name: str, birth_date: dt.date) -> None:
        """A person registered through this finder: later look-ups see them."""
        block = self._years.get(birth_date.year)
        if block is not None:
            key = match_key_of(given_name, family_name, birth_date)
            block.add(_Known(person_id, NameForms.of(given_name, family_name), birth_date, key))

    def _near(self, birth_date: dt.date, key: str, forms: NameForms) -> Iterable[_Known]:
        year = birth_date.year
        if self.whole_years:
            block = self._years.get(year)
            if block is None:
                block = self._years[year] = _YearBlock()
                rows = PersonalDetails.objects.filter(
                    birth_date__gte=dt.date(year, 1, 1), birth_date__lte=dt.date(year, 12, 31)
                ).values_list(*_COLUMNS)
                for known in _known(rows):
                    block.add(known)
            # An equal key means an equal birth date: those are in the block already.
            yield from block.near(birth_date, forms)
            return
        rows = PersonalDetails.objects.filter(Q(match_key=key) | _near_dates(birth_date))
        yield from _known(rows.values_list(*_COLUMNS))


def _near_dates(day: dt.date) -> Q:
    """Born in the same month, on the same day of another month of the year, or on the
    swapped date: as ranges and single dates, so the birth date's index answers it
    (no month or day extracted per row, which SQLite does in Python)."""
    month_start = day.replace(day=1)
    next_month = (month_start + dt.timedelta(days=31)).replace(day=1)
    same_day = []
    for month in range(1, 13):
        try:
            same_day.append(day.replace(month=month))
        except ValueError:  # no 30 February
            continue
    swapped = _swapped(day)
    if swapped is not None:
        same_day.append(swapped)
    return Q(birth_date__gte=month_start, birth_date__lt=next_month) | Q(birth_date__in=same_day)


def queue_candidates(
    *,
    second: Person,
    candidates: Sequence[Candidate],
    shown: Collection[int],
    found_by_id: int | None,
    found_in: str,
) -> list[DuplicateCandidate]:
    """Put each candidate pair into the coordinators' queue; ``shown`` holds the
    candidates the registering user saw and confirmed as another person."""
    return DuplicateCandidate.objects.bulk_create(
        [
            DuplicateCandidate(
                first_id=c.person_id,
                second=second,
                reason=c.reason,
                score=c.score,
                found_by_id=found_by_id,
                found_in=found_in,
                shown_to_finder=c.person_id in shown,
            )
            for c in candidates
        ]
    )


def match_key_refresh(details: PersonalDetails) -> None:
    """Store the match key of these details if their names or birth date changed it
    (``PersonalDetails.save`` does this by itself; for writers that bypass it)."""
    key = match_key_of(details.given_name, details.family_name, details.birth_date)
    if details.match_key != key:
        details.match_key = key
        PersonalDetails.objects.filter(pk=details.pk).update(match_key=key)


def match_keys_fill(*, everything: bool = False) -> int:
    """Compute the match key of every row that lacks one (``everything``: of every row,
    after the key DOCONNECT_PERSON_MATCH_KEY changed); returns how many changed."""
    rows = PersonalDetails.objects.order_by("pk")
    if not everything:
        rows = rows.filter(match_key="")
    changed = 0
    last = None
    while True:
        batch_rows = rows.filter(pk__gt=last) if last is not None else rows
        batch = list(batch_rows.only("pk", *_COLUMNS[1:])[:FILL_BATCH])
        if not batch:
            return changed
        last = batch[-1].pk
        stale = []
        for details in batch:
            key = match_key_of(details.given_name, details.family_name, details.birth_date)
            if details.match_key != key:
                details.match_key = key
                stale.append(details)
        PersonalDetails.objects.bulk_update(stale, ["match_key"])
        changed += len(stale)

"""Benchmark: registering persons with the duplicate check against the demo city.

Starts a throwaway PostgreSQL cluster (or, with --sqlite, a temporary SQLite file),
migrates and loads the demo city at --scale 20 (100,000 persons). Then registers
REGISTRATIONS persons through ``person_register_as`` as the demo coordinator, with
``confirm_new`` (so every one is written): half of them near-duplicates of demo persons
(a typo in the family name, or given and family name swapped, same birth date), half
new names. The baseline, in the same run, is the plain insert of the same persons and
first consents (``person_create`` + ``consent_give``, no check), rolled back.

Prints the check alone (``CandidateFinder.find``: mean, 95th percentile, maximum, in
ms per person), registration in total per person against the plain insert, how many
near-duplicates were found, and one JSON line; exits 1 when the check's mean or 95th
percentile reaches TARGET_MS, or a near-duplicate was missed.

    .venv/bin/python bench/person_register.py              # scale 20 on PostgreSQL
    .venv/bin/python bench/person_register.py --scale 1
    .venv/bin/python bench/person_register.py --sqlite
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from _database import throwaway_database

TARGET_MS = 50.0  # the duplicate check per person (issue #16)
REGISTRATIONS = 400


def _typo(name: str) -> str:
    """One letter dropped from the middle of a name."""
    middle = len(name) // 2
    return name[:middle] + name[middle + 1 :] if len(name) > 3 else name + "e"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=20.0, help="demo city scale (20: 100,000)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args()
    backend = throwaway_database(sqlite=args.sqlite)

    import datetime as dt
    import random

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from doconnect.core.models import Organisation
    from doconnect.core.viewers import viewer_for
    from doconnect.demo.services import load_demo_city
    from doconnect.people.duplicates import CandidateFinder
    from doconnect.people.models import Person, PersonalDetails
    from doconnect.people.registration import NewPerson, person_register_as
    from doconnect.people.services import consent_give, person_create

    started = time.perf_counter()
    load_demo_city(scale=args.scale)
    load_seconds = time.perf_counter() - started
    persons = Person.objects.count()
    viewer = viewer_for(get_user_model().objects.get(username="koordination"))
    city = Organisation.objects.get(external_id="city-dortmund")
    today = timezone.localdate()

    rng = random.Random(16)
    known = list(
        PersonalDetails.objects.filter(birth_date__isnull=False)
        .order_by("pk")
        .values_list("given_name", "family_name", "birth_date")
    )
    entries: list[tuple[str, str, dt.date, bool]] = []  # given, family, born, near-duplicate
    for number in range(REGISTRATIONS):
        if number % 2 == 0:
            given, family, born = rng.choice(known)
            if number % 4 == 0:
                entries.append((given, _typo(family), born, True))
            else:
                entries.append((family, given, born, True))
        else:
            born = dt.date(rng.randint(1960, 2008), rng.randint(1, 12), rng.randint(1, 28))
            entries.append((f"Quirin{number}", f"Xylander{number}", born, False))

    # The check alone, as a registration runs it (one query per person).
    timings, missed = [], 0
    for given, family, born, near in entries:
        t0 = time.perf_counter()
        found = CandidateFinder().find(given, family, born)
        timings.append((time.perf_counter() - t0) * 1000)
        missed += near and not found
    timings.sort()
    mean_ms = statistics.fmean(timings)
    p95_ms = timings[int(len(timings) * 0.95) - 1]

    def person(given: str, family: str, born: dt.date) -> NewPerson:
        return NewPerson(
            given_name=given,
            family_name=family,
            birth_date=born,
            consent_purpose="counselling",
            consent_organisations=("city-dortmund",),
            consent_valid_from=today,
        )

    # Baseline: the same rows written plainly, no check, no audit; rolled back.
    started = time.perf_counter()
    with transaction.atomic():
        for given, family, born, _near in entries:
            created = person_create(
                gender="unspecified",
                birth_date=born,
                district=None,
                given_name=given,
                family_name=family,
            )
            consent_give(
                person=created,
                purposes=["counselling"],
                organisations=[city],
                valid_from=today,
                valid_until=None,
            )
        transaction.set_rollback(True)
    baseline_ms = (time.perf_counter() - started) * 1000 / len(entries)

    started = time.perf_counter()
    queued = 0
    for given, family, born, _near in entries:
        registration = person_register_as(
            viewer, person=person(given, family, born), view="bench", confirm_new=True
        )
        queued += registration.queued_duplicates > 0
    register_ms = (time.perf_counter() - started) * 1000 / len(entries)

    ok = mean_ms < TARGET_MS and p95_ms < TARGET_MS and missed == 0
    print(f"backend                {backend}")
    print(f"persons in the city    {persons:,} (scale {args.scale:g}, load {load_seconds:.0f} s)")
    print(f"registrations          {len(entries)} (half near-duplicates, {queued} queued)")
    print(
        f"duplicate check        mean {mean_ms:5.1f} ms, 95th pct {p95_ms:5.1f} ms, "
        f"max {timings[-1]:5.1f} ms per person (target < {TARGET_MS:g} ms)"
    )
    print(f"plain insert           {baseline_ms:5.1f} ms per person (person_create + consent_give)")
    print(
        f"registration in total  {register_ms:5.1f} ms per person "
        f"(ratio {register_ms / baseline_ms:.2f} to the plain insert)"
    )
    print(f"near-duplicates missed {missed}")
    print(
        json.dumps(
            {
                "benchmark": "person_register",
                "backend": backend,
                "persons": persons,
                "registrations": len(entries),
                "check_mean_ms": round(mean_ms, 2),
                "check_p95_ms": round(p95_ms, 2),
                "check_max_ms": round(timings[-1], 2),
                "plain_insert_ms": round(baseline_ms, 2),
                "register_ms": round(register_ms, 2),
                "ratio": round(register_ms / baseline_ms, 2),
                "missed": missed,
                "target_ms": TARGET_MS,
                "ok": ok,
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

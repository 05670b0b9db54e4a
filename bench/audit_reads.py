"""Benchmark: what auditing every list read costs (issue #20, item 2).

Builds the demo city (``load_demo_city``, scale 1: 5,000 persons; --scale for more) in
a throwaway PostgreSQL cluster (or, with --sqlite, a temporary SQLite file), then times
the persons page (``/persons/?per_page=100``) and the API list
(``/api/persons?page_size=100``) as the demo coordinator and the demo analyst, each
ROUNDS warm requests (median), three ways in the same run:

| way | what ``people.access.audit_reads`` writes |
| --- | --- |
| none | nothing (the floor: the page without any audit) |
| per person | one event per person shown *with names* (before #20: the rest unaudited) |
| per request | one event per request naming every person shown (``AuditEventPerson`` rows) |

Prints the medians, the ratio of "per request" to "per person" (and to "none") and the
events written per request, then one JSON line; exits 1 when "per request" takes more
than RATIO_LIMIT times "per person" on any page.

    .venv/bin/python bench/audit_reads.py --sqlite
    .venv/bin/python bench/audit_reads.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any

from _database import throwaway_database

ROUNDS = 31
RATIO_LIMIT = 1.25


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="demo city scale (1: 5,000)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed requests per page")
    args = parser.parse_args()
    os.environ["DOCONNECT_ALLOWED_HOSTS"] = "testserver"
    os.environ["DOCONNECT_DEMO_MODE"] = "1"
    os.environ["DOCONNECT_TOTP_REQUIRED"] = "0"
    os.environ["DOCONNECT_VAR_DIR"] = tempfile.mkdtemp(prefix="doconnect-bench-var-")
    backend = throwaway_database(sqlite=args.sqlite)

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from doconnect.core.models import AuditEvent
    from doconnect.demo.services import load_demo_city
    from doconnect.people import access
    from doconnect.people.access_rules import Level
    from doconnect.people.models import PERSONAL_FIELDS

    call_command("collectstatic", interactive=False, verbosity=0)
    load_demo_city(scale=args.scale)
    real = access.audit_reads

    def none(*_args: Any, **_kwargs: Any) -> None:
        return None

    def per_person(
        viewer: Any,
        people: Iterable[tuple[str, Level]],
        *,
        view: str,
        purpose: str,
        action: str = "read",
        fields: Any = None,
        fields_by_person: Any = None,
    ) -> None:
        # The audit before #20: one row per person shown with names, in one insert.
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor_id=viewer.user_id,
                actor_username=viewer.username,
                actor_organisation=viewer.describe_organisations(),
                person_public_id=public_id,
                action=action,
                fields=list(PERSONAL_FIELDS),
                view=view,
                purpose=purpose,
            )
            for public_id, level in people
            if level >= Level.PERSONAL
        )

    ways: dict[str, Callable[..., None]] = {
        "none": none,
        "per person": per_person,
        "per request": real,
    }
    users = {"coordinator": "koordination", "analyst": "analyse"}
    pages = {"persons page": "/persons/?per_page=100", "API list": "/api/persons?page_size=100"}
    results: dict[str, dict[str, Any]] = {}
    for who, username in users.items():
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for page, url in pages.items():
            row: dict[str, Any] = {}
            timings: dict[str, list[float]] = {way: [] for way in ways}
            events: dict[str, int] = dict.fromkeys(ways, 0)
            assert client.get(url).status_code == 200  # warm
            # The ways interleaved round by round, so a busy machine's drift hits all.
            for _round in range(args.rounds):
                for way, function in ways.items():
                    access.audit_reads = function  # what records_for_page calls
                    before = AuditEvent.objects.count()
                    started = time.perf_counter()
                    client.get(url)
                    timings[way].append((time.perf_counter() - started) * 1000)
                    events[way] += AuditEvent.objects.count() - before
            access.audit_reads = real
            for way in ways:
                row[way] = round(statistics.median(timings[way]), 1)
                row[f"events/request {way}"] = events[way] / args.rounds
            # Against the audit before #20: auditing every read must not slow the page.
            row["ratio"] = round(row["per request"] / row["per person"], 2)
            row["ratio to none"] = round(row["per request"] / row["none"], 2)
            results[f"{who} {page}"] = row

    print(f"backend {backend}, demo scale {args.scale:g}, {args.rounds} warm requests each")
    header = f"{'page':<26}{'none':>9}{'per person':>13}{'per request':>13}{'ratio':>7}"
    print(f"{header}  events/request")
    for name, row in results.items():
        print(
            f"{name:<26}{row['none']:>6.1f} ms{row['per person']:>10.1f} ms"
            f"{row['per request']:>10.1f} ms{row['ratio']:>6.2f}x  "
            f"{row['events/request per person']:g} -> {row['events/request per request']:g}"
        )
    ok = all(row["ratio"] <= RATIO_LIMIT for row in results.values())
    print(json.dumps({"benchmark": "audit_reads", "backend": backend, "ok": ok, **results}))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

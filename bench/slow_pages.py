"""Benchmark: the four pages that were slow (issue #17) against a trivial signed-in page.

Builds the demo city as ``make run`` does (``load_demo_city`` at its default scale 1,
5,000 persons; --scale for more) in a throwaway PostgreSQL cluster (or, with --sqlite, a
temporary SQLite file) with DEBUG off and the production settings (secrets set,
whitenoise's manifest storage after a real ``collectstatic`` into a temporary folder;
the demo banner on and sign-in without a second factor, as a demo deployment). Then, as
the demo coordinator through Django's test client (the whole middleware stack,
templates rendered), each page is requested once (its time is reported as "first":
that request computes what ``core.changes`` keeps), then ROUNDS times; the median of
those is its warm time (and the preview once more right after a write to an offer, a
table the report reads: "after a write"):

| page | URL |
| --- | --- |
| baseline | ``/tasks/settings/`` (a small signed-in form page) |
| yearly report preview | ``/transparency/<last year>/preview/`` |
| providers | ``/providers/`` |
| person page | ``/persons/<P-…>/``: the named person with most spells |
| pathways | ``/pathways/`` |

Prints each page's warm median (wall and this process's CPU time: on PostgreSQL the
database server's own CPU is not in it), its ratio to the baseline, its first request
and its query count, then the load average and one JSON line; exits 1 when any measured
page's warm median reaches TARGET_MS or a page answers other than 200.

    .venv/bin/python bench/slow_pages.py               # the demo city on PostgreSQL
    .venv/bin/python bench/slow_pages.py --sqlite
    .venv/bin/python bench/slow_pages.py --scale 20    # 100,000 persons
    .venv/bin/python bench/slow_pages.py --pages report,providers   # these (and the baseline)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

from _database import throwaway_database

TARGET_MS = 150.0  # each page's warm median (issue #17)
ROUNDS = 5
# --pages: the short name of each page (the baseline is always measured).
SHORT = {
    "report": "yearly report preview",
    "providers": "providers",
    "person": "person page",
    "pathways": "pathways",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="demo city scale (1, the default: 5,000)"
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed requests per page")
    parser.add_argument(
        "--pages",
        default=",".join(SHORT),
        help=f"comma-separated pages to measure besides the baseline: {', '.join(SHORT)}",
    )
    args = parser.parse_args()
    wanted = {part.strip() for part in args.pages.split(",") if part.strip()}
    if unknown := wanted - set(SHORT):
        parser.error(f"--pages: unknown page(s) {', '.join(sorted(unknown))}")
    # The demo city's deployment: DEBUG off, the demo banner on, sign-in by password
    # alone (a second factor is the production default, not a question of speed).
    os.environ["DOCONNECT_ALLOWED_HOSTS"] = "testserver"
    os.environ["DOCONNECT_DEMO_MODE"] = "1"
    os.environ["DOCONNECT_TOTP_REQUIRED"] = "0"
    os.environ["DOCONNECT_VAR_DIR"] = tempfile.mkdtemp(prefix="doconnect-bench-var-")
    backend = throwaway_database(sqlite=args.sqlite)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from doconnect.core.viewers import viewer_for
    from doconnect.demo.services import load_demo_city
    from doconnect.people.access import personal_persons
    from doconnect.people.access_rules import Purpose
    from doconnect.people.models import Person

    assert not settings.DEBUG
    call_command("collectstatic", interactive=False, verbosity=0)

    started = time.perf_counter()
    load_demo_city(scale=args.scale)
    load_seconds = time.perf_counter() - started
    user = get_user_model().objects.get(username="koordination")
    person = (
        personal_persons(viewer_for(user), purpose=Purpose.COUNSELLING)
        .annotate(n=Count("spells"))
        .order_by("-n", "pk")
        .values_list("public_id", flat=True)
        .first()
    )
    year = timezone.localdate().year - 1
    pages = {
        "baseline": "/tasks/settings/",
        "yearly report preview": f"/transparency/{year}/preview/",
        "providers": "/providers/",
        "person page": f"/persons/{person}/",
        "pathways": "/pathways/",
    }
    chosen = {"baseline"} | {SHORT[short] for short in wanted}
    pages = {name: url for name, url in pages.items() if name in chosen}

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    results: dict[str, dict[str, float]] = {}
    bad: list[str] = []
    for name, url in pages.items():
        started = time.perf_counter()
        response = client.get(url)  # warms what core.changes keeps
        first_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            bad.append(f"{name}: {response.status_code}")
        timings = []
        cpu = []
        for _round in range(args.rounds):
            started = time.perf_counter()
            cpu_started = time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results[name] = {
            "median_ms": round(statistics.median(timings), 1),
            "cpu_median_ms": round(statistics.median(cpu), 1),
            "first_ms": round(first_ms, 1),
            "queries": len(queries),
        }

    report = "yearly report preview"
    if report in results:
        # A write to a table the report reads (an offer touched, as an edit would), then
        # the preview at once: the look that used to rebuild the report in the request.
        from django.db.models import F

        from doconnect.offers.models import Offer

        Offer.objects.filter(pk=Offer.objects.order_by("pk").values("pk")[:1]).update(
            title=F("title")
        )
        started = time.perf_counter()
        cpu_started = time.process_time()
        status = client.get(pages[report]).status_code
        results[report]["after_write_ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[report]["after_write_cpu_ms"] = round((time.process_time() - cpu_started) * 1000, 1)
        if status != 200:
            bad.append(f"{report} after a write: {status}")

    baseline = results["baseline"]["median_ms"]
    print(f"backend      {backend}")
    persons = Person.objects.count()
    print(f"demo city    {persons:,} persons (scale {args.scale:g}, load {load_seconds:.0f} s)")
    print(f"{'page':<24}{'median':>10}{'cpu':>10}{'ratio':>8}{'first':>11}{'queries':>9}")
    slow = []
    for name, figures in results.items():
        median = figures["median_ms"]
        figures["ratio"] = round(median / baseline, 2)
        print(
            f"{name:<24}{median:>7.1f} ms{figures['cpu_median_ms']:>7.1f} ms"
            f"{figures['ratio']:>7.1f}x"
            f"{figures['first_ms']:>8.0f} ms{figures['queries']:>9.0f}"
        )
        if name != "baseline" and median >= TARGET_MS:
            slow.append(name)
    if report in results:
        print(
            f"{report} right after a write to a report table: "
            f"{results[report]['after_write_ms']:.1f} ms "
            f"(cpu {results[report]['after_write_cpu_ms']:.1f} ms)"
        )
    ok = not slow and not bad
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        json.dumps(
            {
                "benchmark": "slow_pages",
                "backend": backend,
                "scale": args.scale,
                "target_ms": TARGET_MS,
                "pages": {name: {**results[name], "url": pages[name]} for name in pages},
                "slow": slow,
                "not_ok": bad,
                "load_average": [round(x, 2) for x in load],
                "ok": ok,
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: a day's traffic of every role against the production set-up (Locust,
headless, loopback, bounded in time).

A throwaway PostgreSQL cluster with the demo city at ``--scale`` (20: 100,000 persons),
served by ``doconnect serve`` as in production (gunicorn, one worker process per core,
DEBUG off, static files by WhiteNoise) with ``doconnect worker`` beside it (the kept
results that go stale under the run's writes, next steps and the report preview, are
computed there, on the same two cores); after the sign-ins, the morning's first looks
(each page once, unmeasured, printed: what the worker keeps is computed then, as in an
office that has been open since eight); the server started again as after a deploy
(it loads the stored ground before forking); then ``--users`` simulated people,
``--warm-up`` seconds unmeasured (each worker process fills what it keeps) and then
``--seconds`` measured (``_load_users.py``): case workers (task page, person list, person pages,
notes), provider staff (referral inbox and steps), coordinators (dashboard, offers,
providers, report preview) and the public (published report), each pausing 1–2 s between
clicks. Every signed-in user also asks a trivial signed-in page (task settings): the
baseline in the same run.

Prints users, requests per second, errors, and per page the count, p50, p95 and the
ratio of its p50 to the baseline's, then one JSON line; exits 1 on any error, when the
overall p95 is TARGET_P95_MS or more (the issue's target: 50 users, p95 under 500 ms, no
error), or when no referral step was taken (a run without writes measures too little).

    .venv/bin/python bench/load.py            # the issue's run: scale 20, 50 users, 60 s
    .venv/bin/python bench/load.py --scale 1 --users 20 --seconds 30
    .venv/bin/python bench/load.py --database-url postgresql://…/demo20   # a demo city kept
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TARGET_P95_MS = 500.0
BASELINE = "baseline (task settings)"
NOT_PAGES = {"sign-in", "sign-in form", "Aggregated"}
# Collected static files are kept here between runs (collecting takes minutes).
VAR_DIR = ROOT / "var" / "bench-load"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _keys(kept: bool) -> dict[str, str]:
    """The secret keys: new for a new demo city; for a kept one (``--database-url``) the
    same in every run, as a city's own stay — what is stored signed with the secret key
    (the next steps' ground) must stay readable, or every run computes it anew."""
    path = VAR_DIR / "keys.json"
    if kept and path.exists():
        return dict(json.loads(path.read_text()))
    keys = {
        "DOCONNECT_SECRET_KEY": secrets.token_urlsafe(50),
        "DOCONNECT_PERSON_MATCH_KEY": secrets.token_urlsafe(50),
    }
    if kept:
        path.write_text(json.dumps(keys))
        path.chmod(0o600)
    return keys


def _environment(database_url: str, keys: dict[str, str]) -> dict[str, str]:
    env = {
        **os.environ,
        "DOCONNECT_DATABASE_URL": database_url,
        **keys,
        "DOCONNECT_DEBUG": "0",
        "DOCONNECT_DEMO_MODE": "1",
        # Plain http on loopback: no https redirect, cookies without the Secure flag, and
        # the demo logins without a second factor (allowed in demo mode only).
        "DOCONNECT_SSL_REDIRECT": "0",
        "DOCONNECT_SECURE_COOKIES": "0",
        "DOCONNECT_HSTS_SECONDS": "0",
        "DOCONNECT_TOTP_REQUIRED": "0",
        "DOCONNECT_ALLOWED_HOSTS": "127.0.0.1",
        "DOCONNECT_VAR_DIR": str(VAR_DIR),
        # The worker's daily job (missed at 06:00, so run at its start) writes reminder
        # mails; there is no mail server on the machine, so they are kept in memory.
        "DOCONNECT_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _doconnect(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "doconnect", *args],
        env=env,
        cwd=VAR_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"doconnect {' '.join(args)} failed:\n{done.stderr}")


def _database(scale: float) -> str:
    import psycopg

    from doconnect.testing import pgcluster

    cluster = pgcluster.start()  # stopped at exit
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute('CREATE DATABASE "load"')
        # As docs/deployment.md ("Tuning PostgreSQL") sets up production.
        conn.execute('ALTER DATABASE "load" SET random_page_cost = 1.1')
    return cluster.url.rsplit("/", 1)[0] + "/load"


def _serve(
    env: dict[str, str], log: Path, port: int = 0
) -> tuple[subprocess.Popen[bytes], str, float]:
    port = port or _free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "doconnect", "serve", "--port", str(port)],
        env=env,
        cwd=VAR_DIR,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"doconnect serve ended:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return server, url, time.perf_counter() - started
        except OSError:
            time.sleep(0.2)


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "doconnect", "worker"],
        env=env,
        cwd=VAR_DIR,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _first_looks(url: str, sessions: dict[str, list[str]]) -> list[tuple[str, float]]:
    """Each page of the run once, in order, as the first coordinator and case worker:
    the seconds each took (what is computed once and kept is computed here)."""
    import re

    def look(role: str, path: str) -> str:
        request = urllib.request.Request(  # noqa: S310 (loopback)
            url + path, headers={"Cookie": f"sessionid={sessions[role][0]}"}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=900) as answer:  # noqa: S310
            text = answer.read().decode()
        looks.append((path, time.perf_counter() - started))
        return text

    looks: list[tuple[str, float]] = []
    for path in ("/", "/offers/", "/providers/"):
        look("koordination", path)
    preview = re.search(
        r'href="(/transparency/\d{4}/preview/)"', look("koordination", "/transparency/")
    )
    if preview:
        look("koordination", preview.group(1))
    look("fallberatung", "/tasks/")
    person = re.search(r'href="(/persons/P-[0-9A-Z]{8}/)"', look("fallberatung", "/persons/"))
    if person:
        look("fallberatung", person.group(1))
    look("traeger", "/referrals/")
    return looks


# The signed-in roles of _load_users.py with their Locust weights (the public: 1).
ROLES = {"fallberatung": 4, "traeger": 2, "koordination": 2}
PUBLIC_WEIGHT = 1


def _sign_in(url: str, username: str) -> tuple[str, float]:
    """One sign-in as a person does it (the form, then the post): the session cookie and
    the seconds it took."""
    import http.cookiejar
    import re
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    started = time.perf_counter()
    with opener.open(f"{url}/login/", timeout=300) as page:
        form = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    data = urllib.parse.urlencode(
        {
            "username": username,
            "password": "do-connect-demo",
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "next": "/",
        }
    ).encode()
    with opener.open(f"{url}/login/", data=data, timeout=300) as answer:
        if "/login" in answer.url:
            raise RuntimeError(f"{username} could not sign in")
    seconds = time.perf_counter() - started
    session = next(c.value for c in jar if c.name == "sessionid")
    return session, seconds


def _sessions(url: str, users: int) -> tuple[dict[str, list[str]], list[float]]:
    """Every simulated person signed in before the timed run, each with a session of
    their own (as many per role as Locust will start, by the weights): sign-in hashes
    the password (PBKDF2, Django's 1,000,000 iterations) and happens once a working day,
    not 50 times in the run's first seconds. Two at a time, one per core."""
    from concurrent.futures import ThreadPoolExecutor

    total = sum(ROLES.values()) + PUBLIC_WEIGHT
    wanted = [name for name, w in ROLES.items() for _ in range(-(-users * w // total) + 1)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda name: _sign_in(url, name), wanted))
    sessions: dict[str, list[str]] = {name: [] for name in ROLES}
    for name, (session, _seconds) in zip(wanted, done, strict=True):
        sessions[name].append(session)
    return sessions, [seconds for _session, seconds in done]


def _locust(url: str, users: int, seconds: int, prefix: Path, sessions: Path) -> None:
    locust = Path(sys.executable).with_name("locust")
    subprocess.run(
        [
            str(locust),
            "-f",
            str(Path(__file__).with_name("_load_users.py")),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),  # everybody in within about 5 s
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        check=False,  # Locust exits 1 when a request failed; the figures say which
        env={**os.environ, "DOCONNECT_LOAD_SESSIONS": str(sessions)},
    )


def _figures(prefix: Path) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    pages: dict[str, dict[str, float]] = {}
    total: dict[str, float] = {}
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            figures = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "per_second": round(float(row["Requests/s"]), 2),
            }
            if row["Name"] == "Aggregated":
                total = figures
            elif row["Name"] not in NOT_PAGES:
                pages[row["Name"]] = figures
    return pages, total


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=20.0, help="demo city scale (20)")
    parser.add_argument("--users", type=int, default=50, help="simulated people (50)")
    parser.add_argument("--seconds", type=int, default=60, help="length of the run (60)")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=30,
        help="seconds of the same traffic before the measured run, not measured (30)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="an existing demo city (doconnect demo --scale N) instead of a fresh one",
    )
    args = parser.parse_args()

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    env = _environment(
        args.database_url or _database(args.scale), _keys(kept=bool(args.database_url))
    )
    started = time.perf_counter()
    if not args.database_url:
        _doconnect(env, "migrate", "--verbosity", "0")
        _doconnect({**env, "DOCONNECT_DEBUG": "1"}, "demo", "--scale", str(args.scale), "-v", "0")
        print(
            f"demo city at scale {args.scale:g} loaded in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    log = VAR_DIR / "serve.log"
    log.write_text("")
    server, url, start_seconds = _serve(env, log)
    print(f"doconnect serve answered after {start_seconds:.1f} s ({url})", flush=True)
    worker = _worker(env, VAR_DIR / "worker.log")
    try:
        sessions, sign_ins = _sessions(url, args.users)
        sign_in_median = statistics.median(sign_ins) * 1000
        print(
            f"{len(sign_ins)} sign-ins before the run: median {sign_in_median:.0f} ms, "
            f"max {max(sign_ins) * 1000:.0f} ms",
            flush=True,
        )
        looks = _first_looks(url, sessions)
        print(
            "first looks: " + ", ".join(f"{path} {seconds:.1f} s" for path, seconds in looks),
            flush=True,
        )
        # Started again as after a night's deploy: what the morning's looks computed is
        # stored, and the server loads it once before its workers fork (core.warmup)
        # instead of each worker process on its own first person page during the run.
        server.terminate()
        server.wait(timeout=60)
        server, url, restart_seconds = _serve(env, log, port=int(url.rsplit(":", 1)[1]))
        print(f"doconnect serve started again in {restart_seconds:.1f} s", flush=True)
        session_file = VAR_DIR / "sessions.json"
        session_file.write_text(json.dumps(sessions))
        if args.warm_up:
            # The office's first minutes, not measured: each worker process fills what
            # it keeps (counts, rows, compiled SQL), as a server that has been up does.
            _locust(url, args.users, args.warm_up, VAR_DIR / "locust-warm-up", session_file)
            _pages, warm = _figures(VAR_DIR / "locust-warm-up")
            print(
                f"warm-up {args.warm_up} s (not measured): {warm['requests']:.0f} requests, "
                f"{warm['per_second']} req/s, p50 {warm['p50_ms']:.0f} ms, "
                f"p95 {warm['p95_ms']:.0f} ms, {warm['errors']:.0f} errors",
                flush=True,
            )
        _locust(url, args.users, args.seconds, VAR_DIR / "locust", session_file)
    finally:
        for process in (worker, server):
            process.terminate()
            process.wait(timeout=60)
    pages, total = _figures(VAR_DIR / "locust")
    base = pages.get(BASELINE, {}).get("p50_ms") or 0.0

    print(f"\n{args.users} users, {args.seconds} s, scale {args.scale:g}, {os.cpu_count()} cores")
    print(f"{'page':<28}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p50/base':>10}")
    for name, figures in sorted(pages.items()):
        ratio = figures["p50_ms"] / base if base else 0.0
        figures["ratio_to_baseline"] = round(ratio, 2)
        print(
            f"{name:<28}{figures['requests']:>9.0f}{figures['errors']:>8.0f}"
            f"{figures['p50_ms']:>9.0f}{figures['p95_ms']:>9.0f}{ratio:>10.2f}"
        )
    print(
        f"{'all (incl. sign-in)':<28}{total['requests']:>9.0f}{total['errors']:>8.0f}"
        f"{total['p50_ms']:>9.0f}{total['p95_ms']:>9.0f}   {total['per_second']} req/s"
    )
    # Without steps the run reads only: nothing goes stale, and the figures flatter.
    steps = pages.get("referral step", {}).get("requests", 0)
    if not steps:
        print(
            "no referral step was taken: the provider's inbox had nothing to step "
            "(a kept demo city is used up after about ten runs; load a new one)"
        )
    ok = total["errors"] == 0 and total["p95_ms"] < TARGET_P95_MS and steps > 0
    print(
        json.dumps(
            {
                "benchmark": "load",
                "scale": args.scale,
                "users": args.users,
                "seconds": args.seconds,
                "warm_up_seconds": args.warm_up,
                "cpus": os.cpu_count(),
                "server_start_seconds": round(start_seconds, 1),
                "server_restart_seconds": round(restart_seconds, 1),
                "sign_ins": len(sign_ins),
                "sign_in_median_ms": round(sign_in_median),
                "first_looks_s": {path: round(seconds, 2) for path, seconds in looks},
                "target_p95_ms": TARGET_P95_MS,
                "total": total,
                "pages": pages,
                "ok": ok,
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Loading the demo city: the one place that decides whether a database may receive it,
writes it all-or-nothing, creates the demo logins and records the run."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from doconnect.core.models import Membership, Organisation, Role
from doconnect.demo import loader
from doconnect.demo.generator import (
    DEFAULT_SCALE,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DEMO_USERS,
    CityGenerator,
)
from doconnect.demo.models import DemoRun
from doconnect.demo.rows import Table
from doconnect.people.models import MATCHED_FIELDS, Person, match_key_of

Progress = Callable[[str], None]

MAX_SEED = 2**31 - 1  # DemoRun.seed is a 32-bit integer column


class DemoRefused(Exception):
    """The database already holds data and the caller did not ask to replace it."""


@dataclass
class LoadReport:
    seed: int
    scale: float
    loader: str
    method: str
    seconds: float  # everything, start to commit
    generate_seconds: float = 0.0  # building rows
    write_seconds: float = 0.0  # handing them to the database, checks included
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, username, pw

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def has_persons() -> bool:
    return Person.objects.exists()


def existing_demo_usernames() -> list[str]:
    usernames = [username for username, _role, _org in DEMO_USERS]
    return sorted(
        get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)
    )


def refusal_reason() -> str | None:
    """Why the demo city may not be loaded without --replace; None if it may."""
    found = loader.occupied()
    clashing = existing_demo_usernames()
    if not found and not clashing:
        return None
    parts = [f"{label}: {count}" for label, count in sorted(found.items())]
    if clashing:
        parts.append("user(s) " + ", ".join(clashing))
    return (
        "the database already holds data ("
        + ", ".join(parts)
        + "); refusing to mix the synthetic demo city into it. Use --replace to delete "
        "that data and load the demo city instead."
    )


def existing_demo_logins() -> list[tuple[str, str, str]]:
    """The demo logins present in the database (role, username, password as loaded;
    somebody may have changed it since)."""
    memberships = {
        m.user.get_username(): m.role
        for m in Membership.objects.select_related("user").filter(
            user__username__in=[username for username, _role, _org in DEMO_USERS]
        )
    }
    return [
        (memberships[username], username, DEMO_PASSWORD)
        for username, _role, _org in DEMO_USERS
        if username in memberships
    ]


def _demo_accounts() -> dict[str, int]:
    """The demo users' ids, creating the accounts not there yet (``_create_logins``
    gives them password, role and organisation once the organisations are loaded)."""
    user_model = get_user_model()
    ids = {}
    for username, _role, _organisation in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(username=username, password=None)
        ids[username] = user.pk
    return ids


def _create_logins(provider_external_id: str) -> list[tuple[str, str, str]]:
    user_model = get_user_model()
    logins = []
    for username, role, organisation_key in DEMO_USERS:
        key = provider_external_id if organisation_key == "provider" else organisation_key
        organisation = Organisation.objects.get(external_id=key)
        user = user_model.objects.filter(username=username).first() or user_model(username=username)
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = role == Role.ADMIN
        user.first_name = "Demo"
        user.last_name = str(Role(role).label)
        # Reserved for documentation (RFC 2606): mails to demo users (reminders) show in
        # the console in development and can never reach anybody.
        user.email = f"{username}@demo.do-connect.invalid"
        user.save()
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(user=user, organisation=organisation, role=role)
        logins.append((role, username, DEMO_PASSWORD))
    return logins


def _with_match_keys(table: Table) -> Table:
    """The personal details with the duplicate check's key. Added here, not in the pure
    generator: the key needs this installation's secret, and the generated city stays
    the same whatever the secret."""
    if table.model != "people.PersonalDetails" or table.m2m:
        return table
    given, family, birth = (table.fields.index(name) for name in MATCHED_FIELDS)
    rows = [
        (
            *row,
            match_key_of(
                row[given], row[family], dt.date.fromisoformat(row[birth]) if row[birth] else None
            ),
        )
        for row in table.rows
    ]
    return Table(table.model, (*table.fields, "match_key"), rows)


def load_demo_city(
    *,
    seed: int = DEFAULT_SEED,
    scale: float = DEFAULT_SCALE,
    replace: bool = False,
    loader_name: str = "fast",
    progress: Progress | None = None,
) -> LoadReport:
    """Build and load the demo city in one transaction: either all of it is there
    afterwards, or nothing changed. Raises DemoRefused if the database holds data and
    ``replace`` is false."""
    if loader_name not in loader.LOADERS:
        raise ValueError(f"unknown loader {loader_name!r}")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be between 0 and {MAX_SEED}")
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    generator = CityGenerator(seed=seed, scale=scale)
    report = LoadReport(
        seed=seed, scale=scale, loader=loader_name, method=loader.describe(loader_name), seconds=0
    )
    phases = generator.phases()
    with transaction.atomic():
        reason = refusal_reason()
        if reason is not None:
            if not replace:
                raise DemoRefused(reason)
            phase_started = time.perf_counter()
            loader.wipe()
            say(f"removed the existing data ({time.perf_counter() - phase_started:.1f} s)")
        say(f"building the demo city (seed {seed}, scale {scale:g}, {report.method})")
        # The case files name the demo users as authors and workers, and are dated
        # from the day of loading (what is due today is due on the day one looks).
        generator.demo_user_ids = _demo_accounts()
        generator.casefile_today = timezone.localdate()
        loader.prepare_connection()
        write = loader.writer_for(loader_name)
        for number, (name, build) in enumerate(phases, start=1):
            phase_started = time.perf_counter()
            tables = [_with_match_keys(table) for table in build()]
            built = time.perf_counter() - phase_started
            rows = 0
            for table in tables:
                written = write(table)
                report.counts[table.label] = report.counts.get(table.label, 0) + written
                rows += written
            report.generate_seconds += built
            report.write_seconds += time.perf_counter() - phase_started - built
            say(
                f"[{number}/{len(phases)}] {name}: {rows:,} rows in "
                f"{time.perf_counter() - phase_started:.1f} s (generating {built:.1f} s)"
            )
        phase_started = time.perf_counter()
        write.finish()
        report.write_seconds += time.perf_counter() - phase_started
        say(f"finished writing, keys checked ({time.perf_counter() - phase_started:.1f} s)")
        phase_started = time.perf_counter()
        loader.reset_sequences()
        report.logins = _create_logins(generator.busiest_provider())
        say(f"demo logins and sequences ({time.perf_counter() - phase_started:.1f} s)")
        run = DemoRun.objects.create(
            seed=seed,
            scale=scale,
            seconds=round(time.perf_counter() - started, 2),
            counts=dict(report.counts),
        )
        phase_started = time.perf_counter()
    loader.analyze()
    say(f"committed and analysed ({time.perf_counter() - phase_started:.1f} s)")
    # The run's time includes the commit and the statistics: what a user waits for.
    report.seconds = round(time.perf_counter() - started, 2)
    DemoRun.objects.filter(pk=run.pk).update(seconds=report.seconds)
    return report

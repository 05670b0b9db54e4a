"""Results computed from many rows, kept while the rows they came from are unchanged.

A domain names the models a computation reads (``watch``, in its ``AppConfig.ready``);
after every ``migrate`` (and test flush) ``install_triggers`` puts a trigger on each of
their tables that counts every insert, update and delete in ``TableVersion`` — in the
database, so bulk updates, imports, raw SQL and other processes count as well as the
ORM's saves. ``cached(name, models, key, compute)`` reads the counters of the models
(one query) and returns the result computed at the same counters, or computes it.

Honest by construction: a result is reused only when none of its tables changed since.
Two exceptions make it compute afresh: inside a transaction (what it reads there may
yet be rolled back, and the counters with it), and when a counter row is missing.

The price: on PostgreSQL the trigger runs once per statement and updates one row per
table, so two transactions writing the same watched table wait for each other's
commit; on SQLite (one writer anyway) it runs once per row.

Kept in this process's memory (the last ``KEEP`` results), and shared with the other
processes of the server through the ``kept`` cache (``settings.KEPT_SHARED``: files in
memory, pickled): after a change the first process to ask computes a result and the
others read it, instead of each computing it (issue #19: two web processes recounted
every referral step's free places and task counts each). The key is the same as in
memory (the SQL or name, the database, the counters), so sharing is as honest as
keeping. Callers must treat a result as read-only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import logging
import pickle
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.utils import timezone

from doconnect.core.models import TableVersion

T = TypeVar("T")
logger = logging.getLogger(__name__)
KEEP = 16
_TRIGGER = "doconnect_changes"

_watched: set[str] = set()
_memo: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = threading.Lock()

# Keys being computed in this process, each with its lock and how many threads hold or
# wait for it: a thread that misses a result another thread is computing waits for it
# rather than computing it too (under load, every thread of a process missed the same
# task count at once after each change: 58 counts of 0.4 s in a minute, issue #19).
_flights: dict[Hashable, list[Any]] = {}
_flights_lock = threading.Lock()


@contextlib.contextmanager
def _one_at_a_time(keys: Iterable[Hashable | None]) -> Iterator[None]:
    """Hold the computation of ``keys`` (None: not kept, not held) in this process;
    several are taken in one order, so two threads never wait for each other."""
    held = sorted({k for k in keys if k is not None}, key=repr)
    entries = []
    with _flights_lock:
        for key in held:
            entry = _flights.setdefault(key, [threading.RLock(), 0])
            entry[1] += 1
            entries.append((key, entry))
    taken: list[Any] = []
    try:
        for _key, entry in entries:
            entry[0].acquire()
            taken.append(entry[0])
        yield
    finally:
        for lock in reversed(taken):
            lock.release()
        with _flights_lock:
            for key, entry in entries:
                entry[1] -= 1
                if not entry[1]:
                    del _flights[key]


def _tables(watched: Iterable[type[models.Model] | str]) -> list[str]:
    return sorted({m if isinstance(m, str) else m._meta.db_table for m in watched})


_MISSING = object()
# The shared files live in memory (/dev/shm, 64 MB in a container by default): a result
# larger than this is not shared.
SHARED_MAX_BYTES = 4 * 1024 * 1024


def _sharing() -> bool:
    return settings.KEPT_SHARED != "off"


def _shared_key(kind: str, key: tuple[Any, ...] | None) -> str | None:
    """The name of ``key`` in the shared cache; None when nothing is shared: sharing
    off, no key, or a key whose text is not the same in every process (an object shown
    by its memory address)."""
    if key is None or not _sharing():
        return None
    text = repr(key)
    if " at 0x" in text:
        return None
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def _shared_get(kind: str, key: tuple[Any, ...] | None) -> Any:
    """What another process put under ``key``, or ``_MISSING``."""
    name = _shared_key(kind, key)
    if name is None:
        return _MISSING
    try:
        data = caches["kept"].get(name)
        return _MISSING if data is None else pickle.loads(data)  # noqa: S301 - our own
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        logger.warning("kept result %s unreadable: %s", name, exc)
        return _MISSING


def _shared_put(kind: str, key: tuple[Any, ...] | None, value: Any) -> None:
    name = _shared_key(kind, key)
    if name is None:
        return
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) <= SHARED_MAX_BYTES:  # larger ones are kept by each process alone
            caches["kept"].set(name, data)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        # Not shared (e.g. a value that cannot be pickled): kept in this process only.
        logger.info("kept result %s not shared: %s", name, exc)


def watch(*watched: type[models.Model] | str) -> None:
    """Count the changes of these models' tables (or these tables, e.g. a many-to-many
    table); call from an ``AppConfig.ready``. Takes effect at the next ``migrate``."""
    _watched.update(_tables(watched))


def install_triggers(using: BaseDatabaseWrapper | None = None) -> None:
    """Create the counters and triggers of every watched table that lacks them (again
    after a migration rebuilt a table)."""
    db = using or connection
    tables = sorted(_watched)
    existing = set(TableVersion.objects.using(db.alias).values_list("name", flat=True))
    TableVersion.objects.using(db.alias).bulk_create(
        TableVersion(name=table, version=time.time_ns())
        for table in tables
        if table not in existing
    )
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION doconnect_table_changed() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN UPDATE core_tableversion SET version = "
                "version + 1 WHERE name = TG_TABLE_NAME; RETURN NULL; END $$"
            )
            for table in tables:
                cursor.execute(f'DROP TRIGGER IF EXISTS {_TRIGGER} ON "{table}"')
                cursor.execute(
                    f"CREATE TRIGGER {_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION doconnect_table_changed()'
                )
        elif db.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {_TRIGGER}_{table}_{event.lower()} "
                        f'AFTER {event} ON "{table}" BEGIN UPDATE core_tableversion SET '
                        f"version = version + 1 WHERE name = '{table}'; END"
                    )
        else:  # pragma: no cover - only the two databases of the README
            raise NotImplementedError(f"no change triggers for {db.vendor}")


def on_post_migrate(**kwargs: Any) -> None:
    from django.db import connections

    install_triggers(connections[kwargs.get("using", "default")])


def table_versions(watched: Sequence[type[models.Model] | str]) -> tuple[int, ...] | None:
    """The counters of these tables (one query); None when one has none."""
    tables = _tables(watched)
    found = dict(TableVersion.objects.filter(name__in=tables).values_list("name", "version"))
    if len(found) < len(tables):
        return None
    return tuple(found[table] for table in tables)


def cached(
    name: str,
    watched: Sequence[type[models.Model] | str],
    key: Hashable,
    compute: Callable[[], T],
) -> T:
    """``compute()``, or its result from an earlier call with the same ``name`` and
    ``key`` while no table of ``watched`` changed (see the module docstring)."""
    if connection.in_atomic_block:
        return compute()
    versions = table_versions(watched)
    if versions is None:
        return compute()
    memo_key = (name, connection.alias, connection.settings_dict["NAME"], key, versions)
    with _one_at_a_time([memo_key]):
        with _lock:
            if memo_key in _memo:
                _memo.move_to_end(memo_key)
                result: T = _memo[memo_key]
                return result
        shared = _shared_get("cached", memo_key)
        if shared is not _MISSING:
            result = shared
        else:
            result = compute()
            _shared_put("cached", memo_key, result)
        with _lock:
            _put(_memo, memo_key, result, KEEP)
        return result


def forget() -> None:
    """Drop every result kept in this process and shared (``cached``, ``kept_total``,
    ``kept_rows``): the next asks read afresh. For a test that empties the database
    between runs, where a result kept within its stale window would outlive the data."""
    with _lock:
        for kept in (_memo, _counts, _latest_counts, _rows, _latest_rows, _plans):
            kept.clear()
    if _sharing():
        caches["kept"].clear()


def rebuild_due(computed_at: dt.datetime) -> bool:
    """Whether a kept result computed at ``computed_at`` and gone stale may be rebuilt
    now: at most once in ``settings.KEPT_REBUILD_MINUTES`` (the page shows its date)."""
    wait = dt.timedelta(minutes=max(0, settings.KEPT_REBUILD_MINUTES))
    return timezone.now() - computed_at >= wait


# Counts are small: many more of them are kept (one per user and source, say) than of
# the large results above.
KEEP_COUNTS = 4096
_counts: OrderedDict[tuple[Any, ...], int] = OrderedDict()
_QUOTED = re.compile(r'"([A-Za-z0-9_]+)"')


@functools.lru_cache(maxsize=4096)
def _tables_named(sql: str) -> list[str]:
    """The tables of installed models that this SQL names (quoted, as Django writes
    them): everything the query can read. Treat the list as read-only (it is kept)."""
    known = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    return sorted(set(_QUOTED.findall(sql)) & known)


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


Compiled = tuple[str, tuple[Any, ...]]
# Compiled parts of a count that is asked on every page (the navigation's tasks), by the
# caller's key: building and compiling the querysets is most of such a count's time.
KEEP_PLANS = 1024
_plans: OrderedDict[Hashable, tuple[Compiled | None, ...]] = OrderedDict()


def _compiled(querysets: Sequence[QuerySet[Any]]) -> tuple[Compiled | None, ...]:
    """Each queryset's SQL and parameters; None for one that can match nothing (a
    filter on an empty list)."""
    compiled: list[Compiled | None] = []
    for queryset in querysets:
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            compiled.append(None)
        else:
            compiled.append((sql, tuple(params)))
    return tuple(compiled)


def _pks(querysets: Sequence[QuerySet[Any]]) -> list[QuerySet[Any]]:
    """The querysets as the key column only, as a count reads them."""
    return [qs.order_by().values_list("pk") for qs in querysets]


def _put(memo: OrderedDict[Any, Any], key: Any, value: Any, limit: int) -> None:
    """Keep ``value`` as the newest of ``memo``, dropping the oldest beyond ``limit``
    (the caller holds ``_lock``)."""
    memo[key] = value
    memo.move_to_end(key)
    while len(memo) > limit:
        memo.popitem(last=False)


def _recent(memo: OrderedDict[Any, tuple[Any, float]], key: Any, seconds: float) -> Any:
    """The value kept under ``key`` if it was read at most ``seconds`` ago, else None
    (the caller holds ``_lock``)."""
    if seconds <= 0 or key not in memo:
        return None
    value, read_at = memo[key]
    return value if time.monotonic() - read_at <= seconds else None


_latest_counts: OrderedDict[tuple[Any, ...], tuple[int, float]] = OrderedDict()


Querysets = Sequence[QuerySet[Any]] | Callable[[], Sequence[QuerySet[Any]]]


def _built(querysets: Querysets) -> Sequence[QuerySet[Any]]:
    return querysets() if callable(querysets) else querysets


def _planned(
    build: Callable[[], Sequence[QuerySet[Any]]], plan: Hashable | None
) -> tuple[Compiled | None, ...]:
    """The compiled parts of what ``build`` returns: kept under ``plan`` (then ``build``
    is not called again for it), or compiled afresh without one."""
    if plan is None:
        return _compiled(build())
    plan_key = (connection.alias, connection.settings_dict["NAME"], plan)
    with _lock:
        kept = _plans.get(plan_key)
        if kept is not None:
            _plans.move_to_end(plan_key)
            return kept
    kept = _compiled(build())
    with _lock:
        _put(_plans, plan_key, kept, KEEP_PLANS)
    return kept


def kept_total(
    querysets: Querysets,
    *,
    plan: Hashable | None = None,
    stale_seconds: float = 0,
) -> int:
    """The number of rows of all ``querysets`` together (``UNION ALL``), each part kept
    while none of the tables its own SQL names changed — so a part reading a busy table
    (e.g. referrals) is counted afresh while a costly part on quiet tables (e.g.
    agreement items) is not. One query for the counters, one for the parts to count;
    inside a transaction, or when a part names a table nobody watches, that part is
    always counted. Inside a transaction: one query, as ``first.union(*rest).count()``.

    ``querysets`` may be a function building them; with ``plan`` (a hashable naming
    everything the querysets' SQL depends on: the viewer, the day) their compiled SQL is
    kept under that key and the function is not called again. ``stale_seconds``: as
    ``kept_rows``'s."""
    if connection.in_atomic_block:
        parts = _pks(_built(querysets))
        if not parts:
            return 0
        first, *rest = parts
        return first.union(*rest, all=True).count()
    compiled = _planned(lambda: _pks(_built(querysets)), plan)
    tables = sorted({t for c in compiled if c is not None for t in _tables_named(c[0])})
    found = dict(TableVersion.objects.filter(name__in=tables).values_list("name", "version"))
    total = 0
    missing: list[tuple[tuple[Any, ...] | None, Compiled]] = []
    for c in compiled:
        if c is None:
            continue
        named = _tables_named(c[0])
        key: tuple[Any, ...] | None = None
        if all(t in found for t in named) and _hashable(c):
            versions = tuple(found[t] for t in named)
            key = (connection.alias, connection.settings_dict["NAME"], c, versions)
            with _lock:
                if key in _counts:
                    _counts.move_to_end(key)
                    total += _counts[key]
                    continue
                recent = _recent(_latest_counts, key[:3], stale_seconds)
                if recent is not None:
                    total += recent
                    continue
        missing.append((key, c))
    if not missing:
        return total
    with _one_at_a_time(key for key, _c in missing):
        # Counted meanwhile by another thread of this process: taken from there.
        left: list[tuple[tuple[Any, ...] | None, Compiled]] = []
        for key, c in missing:
            with _lock:
                if key is not None and key in _counts:
                    total += _counts[key]
                    continue
            shared = _shared_get("count", key)
            if key is None or shared is _MISSING:
                left.append((key, c))
                continue
            total += shared
            _keep_count(key, shared)
        return total + _count_parts(left)


def _count_parts(parts: Sequence[tuple[tuple[Any, ...] | None, Compiled]]) -> int:
    """Count ``parts`` in one query (one scalar subquery each) and keep each count
    under its key."""
    if not parts:
        return 0
    selects: list[str] = []
    arguments: list[Any] = []
    for position, (_key, (sql, part_params)) in enumerate(parts):
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS part_{position})")
        arguments.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), arguments)
        row = cursor.fetchone()
    counts = [int(n) for n in row]
    for (key, _c), count in zip(parts, counts, strict=True):
        if key is not None:
            _keep_count(key, count)
            _shared_put("count", key, count)
    return sum(counts)


def _keep_count(key: tuple[Any, ...], count: int) -> None:
    """Keep ``count`` in this process under ``key`` (and as its SQL's newest)."""
    with _lock:
        _put(_counts, key, count, KEEP_COUNTS)
        _put(_latest_counts, key[:3], (count, time.monotonic()), KEEP_COUNTS)


# Rows of list and figure queries (one per page kind and viewer's scope, say).
KEEP_ROWS = 256
_rows: OrderedDict[tuple[Any, ...], tuple[Any, ...]] = OrderedDict()


# The newest result of each SQL whatever the counters (for ``stale_seconds``), with the
# moment it was read (``time.monotonic``).
_latest_rows: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], float]] = OrderedDict()


def _read(queryset: QuerySet[Any]) -> tuple[Any, ...]:
    """The rows of ``queryset``, read from a clone (never its own result cache)."""
    return tuple(queryset.all())


def kept_rows(
    querysets: Querysets, *, plan: Hashable | None = None, stale_seconds: float = 0
) -> list[tuple[Any, ...]]:
    """The results of ``querysets`` (each as a tuple, in the queryset's own form: model
    instances, dicts or value tuples), each kept while none of the tables its own
    compiled SQL names changed — the SQL with its parameters is the key, so a person
    filter of another viewer or another day is another result. One query for the
    counters of all, then one for each part not kept; inside a transaction, or when a
    part names a table nobody watches, that part is always read. Results are shared:
    treat them as read-only.

    With ``stale_seconds`` a result read at most that long ago in this process is used
    even when its tables changed since: figures of an overview that every write would
    otherwise have read again, at most that many seconds behind.

    ``querysets`` may be a function building them, and ``plan`` a key for their
    compiled SQL, as for ``kept_total``: with every result kept, the function is not
    called."""
    built: list[Sequence[QuerySet[Any]]] = []

    def build() -> Sequence[QuerySet[Any]]:
        if not built:
            built.append(_built(querysets))
        return built[0]

    if connection.in_atomic_block:
        return [tuple(queryset.all()) for queryset in build()]
    compiled = _planned(build, plan)
    results: list[tuple[Any, ...] | None] = [None] * len(compiled)
    keys: list[tuple[Any, ...] | None] = [None] * len(compiled)
    latest: list[tuple[Any, ...] | None] = [None] * len(compiled)
    named = [_tables_named(c[0]) if c is not None else [] for c in compiled]
    tables = sorted({t for part in named for t in part})
    found = dict(TableVersion.objects.filter(name__in=tables).values_list("name", "version"))
    for position, (c, part) in enumerate(zip(compiled, named, strict=True)):
        if c is None:  # no row can match (``EmptyResultSet``): nothing to read
            results[position] = ()
            continue
        if not part or not all(t in found for t in part) or not _hashable(c):
            continue
        versions = tuple(found[t] for t in part)
        key = (connection.alias, connection.settings_dict["NAME"], c, versions)
        keys[position] = key
        latest[position] = key[:3]
        with _lock:
            if key in _rows:
                _rows.move_to_end(key)
                results[position] = _rows[key]
            else:
                results[position] = _recent(_latest_rows, key[:3], stale_seconds)
    for position in range(len(compiled)):
        if results[position] is not None:
            continue
        kept_key, sql_key = keys[position], latest[position]
        with _one_at_a_time([kept_key]):
            with _lock:  # read meanwhile by another thread of this process
                results[position] = _rows.get(kept_key) if kept_key is not None else None
            if results[position] is not None:
                continue
            shared = _shared_get("rows", kept_key)
            if shared is not _MISSING:
                rows = shared
            else:
                rows = _read(build()[position])
                _shared_put("rows", kept_key, rows)
            results[position] = rows
            if kept_key is not None and sql_key is not None:
                with _lock:
                    _put(_rows, kept_key, rows, KEEP_ROWS)
                    _put(_latest_rows, sql_key, (rows, time.monotonic()), KEEP_ROWS)
    return [rows for rows in results if rows is not None]

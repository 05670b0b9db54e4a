"""The throwaway database a benchmark measures in: a fresh PostgreSQL cluster
(src/doconnect/testing/pgcluster.py, stopped at exit) or a temporary SQLite file, with
bench-only secrets, Django set up and migrated. A helper of the scripts here, not a
benchmark itself (``run_all.py`` skips files starting with ``_``)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))


def throwaway_database(*, sqlite: bool, sqlite_without_postgres: bool = False) -> str:
    """Point Django at a new database, set it up and migrate; the backend's name.
    ``sqlite``: a temporary SQLite file instead of PostgreSQL; with
    ``sqlite_without_postgres`` also when no PostgreSQL is installed (said on stderr)."""
    backend = "sqlite"
    url = ""
    if not sqlite:
        from doconnect.testing import pgcluster

        try:
            url = pgcluster.start().url
            backend = "postgresql"
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                # As docs/deployment.md ("Tuning PostgreSQL") sets up production.
                conn.execute("ALTER DATABASE postgres SET random_page_cost = 1.1")
        except pgcluster.PostgresUnavailable as exc:
            if not sqlite_without_postgres:
                raise
            print(f"no PostgreSQL ({exc}); measuring on SQLite", file=sys.stderr)
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="doconnect-bench-")
        url = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.update(
        {
            "DOCONNECT_DATABASE_URL": url,
            "DOCONNECT_SECRET_KEY": "bench-only-Qm7vK2xR9pZ4wT1nB8cF5hJ3dS6gA0eU-yL4oI7uE2",
            "DOCONNECT_PERSON_MATCH_KEY": "bench-only-match-Hq2wE9rT5yU1iO7pA3sD8fG6hJ0kL4zX",
            "DOCONNECT_DEBUG": "0",
            "DOCONNECT_SSL_REDIRECT": "0",
            "DJANGO_SETTINGS_MODULE": "doconnect.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return backend

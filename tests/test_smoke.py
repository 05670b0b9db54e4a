from django.db import connection


def test_the_suite_runs_on_the_configured_database(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

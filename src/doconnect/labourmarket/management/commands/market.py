"""``doconnect market``: the labour-market analyses on the database (indicators over
time, shortage by occupation, regional structure, employment potentials, employers
likely to hire), as JSON or a readable table."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from doconnect.core.management.formatting import ExampleCommand, day_option
from doconnect.core.models import District
from doconnect.labourmarket.analyses import (
    AnalysisError,
    HiringResult,
    PotentialsResult,
    RegionalResult,
    ShortageResult,
    hiring_from_db,
    indicator_series_from_db,
    potentials_from_db,
    regional_from_db,
    shortage_from_db,
)
from doconnect.labourmarket.engine.series import SeriesPoint
from doconnect.labourmarket.statistics_file import DIMENSIONS

EPILOG = """\
actions:
  indicators  an indicator over time with the change against the previous period and
              the same period a year before (suppressed figures stay empty).
  shortage    job seekers per open vacancy by occupation (KldB) on --as-of, days open,
              trend against a month before and the status shortage/balanced/surplus.
              Job seekers from the statistics (latest month) or, without them, from
              running unemployment spells (--source); the output says which.
  regional    location quotients and shift-share of employment by WZ section against
              a reference region.
  potentials  job seekers in nearby occupations (by the KldB hierarchy and the
              occupation changes observed in biographies) and the training offers with
              free places that would bridge them into the shortage occupations.
  hiring      vacancies per employer in the three-month windows up to --as-of, the
              back-test of the forecast model against "same as last quarter", and the
              forecast for the next three months.

Counts of persons below DOCONNECT_SMALL_NUMBER (--min-count) are not shown.

examples:
  doconnect market indicators --indicator unemployed --region Dortmund --by gender
  doconnect market shortage --as-of 2026-11-23 --level 3 --format table
  doconnect market regional --reference NRW --from 2021 --to 2025
  doconnect market potentials --format table
  doconnect market hiring --format table
"""

LEVELS = ("1", "2", "3", "4", "5", "skill")


def _district(text: str | None) -> District | None:
    """--district: a district's name or official key."""
    if not text:
        return None
    found = (
        District.objects.filter(name=text).first()
        or District.objects.filter(official_key=text).first()
    )
    if found is None:
        known = ", ".join(District.objects.order_by("name").values_list("name", flat=True))
        raise CommandError(f"--district {text!r}: no such district (known: {known or 'none'})")
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, District):
        return {"name": value.name, "official_key": value.official_key}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # a NamedTuple
        return {k: _plain(v) for k, v in value._asdict().items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return " ".join(_cell(v) for v in value) or "–"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Numbers right-aligned, text left-aligned, a dash for a figure not shown."""
    cells = [[_cell(v) for v in row] for row in rows]
    right = [
        [(isinstance(v, int | float) and not isinstance(v, bool)) or v is None for v in row]
        for row in rows
    ]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row, flags in zip(cells, right, strict=True):
        parts = [
            c.rjust(w) if flag else c.ljust(w)
            for c, w, flag in zip(row, widths, flags, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


class Command(ExampleCommand):
    help = "Labour-market analyses: indicators, shortage, regional, potentials, hiring."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        def action(name: str, text: str) -> CommandParser:
            sub = actions.add_parser(name, help=text)
            sub.add_argument("--format", choices=["json", "table"], default="json")
            return sub

        ind = action("indicators", "an indicator over time with its changes")
        ind.add_argument("--indicator", default="unemployed", help="default: unemployed")
        ind.add_argument("--region", help="a region as stored, e.g. Dortmund (default: all)")
        ind.add_argument("--district", help="a district's name")
        ind.add_argument("--by", choices=DIMENSIONS, help="one series per value of this")
        for name in DIMENSIONS:
            ind.add_argument(f"--{name.replace('_', '-')}", dest=name, help=f"only this {name}")
        ind.add_argument("--last", type=int, default=0, help="only the last N periods per series")

        short = action("shortage", "shortage and surplus by occupation")
        short.add_argument("--as-of", help="the analysis day YYYY-MM-DD (default: today)")
        short.add_argument("--level", choices=LEVELS, default="5", help="KldB digits or skill")
        short.add_argument("--region", help="the statistics region (default: the only one)")
        short.add_argument(
            "--source", choices=["auto", "statistics", "spells"], default="auto",
            help="where job seekers come from (default: statistics if there, else spells)",
        )  # fmt: skip
        short.add_argument("--min-count", type=int, help="small-number limit")
        short.add_argument("--status", help="only rows of this status (e.g. shortage)")
        short.add_argument("--district", help="a district's name or official key")

        reg = action("regional", "location quotients and shift-share by WZ section")
        reg.add_argument("--region", help="default: the only region besides the reference")
        reg.add_argument("--reference", default="NRW", help="default: NRW")
        reg.add_argument("--from", dest="start", type=int, help="start year")
        reg.add_argument("--to", dest="end", type=int, help="end year")

        pot = action("potentials", "employment potentials into shortage occupations")
        pot.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        pot.add_argument("--min-count", type=int, help="small-number limit")
        pot.add_argument(
            "--shortage-source", choices=["auto", "statistics", "spells"], default="spells",
            help="job seekers of the shortage table (default: spells, as the candidates)",
        )  # fmt: skip
        pot.add_argument(
            "--generic-offers", action="store_true",
            help="training offers without occupations (KldB) qualify for any",
        )  # fmt: skip
        pot.add_argument("--limit", type=int, default=30, help="rows in the table (default 30)")

        hire = action("hiring", "employers likely to hire, with the back-test")
        hire.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        hire.add_argument("--quarters", type=int, default=12, help="history (default 12)")
        hire.add_argument("--limit", type=int, default=20, help="rows in the table (default 20)")
        hire.add_argument("--district", help="a district's name or official key")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        for name in ("min_count", "limit", "last", "quarters"):
            if options.get(name) is not None and options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must not be negative")
        as_of = (
            day_option("--as-of", options["as_of"])
            if options.get("as_of")
            else timezone.localdate()
        )
        try:
            data, text = getattr(self, f"_{action}")(options, as_of)
        except AnalysisError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(_plain(data), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(text())

    # ----------------------------------------------------------------- indicators

    def _indicators(self, options: dict[str, Any], as_of: dt.date) -> tuple[Any, Any]:
        filters = {n: options[n] for n in DIMENSIONS if options.get(n)}
        points = indicator_series_from_db(
            indicator=options["indicator"],
            region=options.get("region"),
            district=options.get("district"),
            by=options.get("by"),
            **filters,
        )
        if options["last"]:
            points = _last(points, options["last"])
        data = {"indicator": options["indicator"], "filters": filters, "points": points}

        def text() -> str:
            headers = ["region", "group", "period", "value", "change", "%", "year ago", "yoy %"]
            rows = [
                (p.region, p.group, p.period, p.value, p.change, p.pct_change, p.year_ago,
                 p.yoy_pct_change)
                for p in points
            ]  # fmt: skip
            return f"{options['indicator']} {filters or ''}\n" + _table(headers, rows)

        return data, text

    # ----------------------------------------------------------------- shortage

    def _shortage(self, options: dict[str, Any], as_of: dt.date) -> tuple[Any, Any]:
        result: ShortageResult = shortage_from_db(
            as_of=as_of,
            level=options["level"],
            min_count=options.get("min_count"),
            region=options.get("region"),
            source=options["source"],
            district=_district(options.get("district")),
        )
        wanted = options.get("status")
        rows = [r for r in result.table.rows if not wanted or r.status == wanted]
        data = {
            "as_of": as_of,
            "district": result.district,
            "level": result.table.level,
            "source": result.source,
            "source_note": result.source_note,
            "region": result.region,
            "period": result.period,
            "vacancies_source": result.vacancies_source,
            "vacancies_open": result.vacancies_open,
            "vacancies_without_kldb": result.vacancies_without_kldb,
            "reference_median_days": result.table.reference_median_days,
            "rules": result.table.rules,
            "rows": rows,
        }

        def text() -> str:
            counts: dict[str, int] = {}
            for r in result.table.rows:
                counts[r.status] = counts.get(r.status, 0) + 1
            where = f" in {result.district.name}" if result.district else ""
            head = (
                f"shortage{where} on {as_of}, level {result.table.level}; job seekers: "
                f"{result.source_note}\n"
                f"vacancies: {result.vacancies_source}; open in the database (positions): "
                f"{result.vacancies_open:,}"
                f" (+{result.vacancies_without_kldb:,} without occupation, not counted); "
                f"median days open of all: {_cell(result.table.reference_median_days)}\n"
                + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                + "\n\n"
            )
            headers = ["kldb", "seekers", "vacancies", "ratio", "median d", "trend", "status",
                       "reasons"]  # fmt: skip
            body = [
                (r.key, r.job_seekers, r.vacancies, r.ratio, r.median_days_open, r.trend,
                 r.status, ",".join(r.reasons))
                for r in rows
            ]  # fmt: skip
            return head + _table(headers, body)

        return data, text

    # ----------------------------------------------------------------- regional

    def _regional(self, options: dict[str, Any], as_of: dt.date) -> tuple[Any, Any]:
        result: RegionalResult = regional_from_db(
            region=options.get("region"),
            reference=options["reference"],
            start_year=options.get("start"),
            end_year=options.get("end"),
        )

        def text() -> str:
            ss = result.shift_share
            head = (
                f"{result.region} against {result.reference}: {result.start_period} → "
                f"{result.end_period}; reference growth {_cell(ss.reference_growth_rate)}\n"
                "shift-share: reference growth + industry mix + local = change\n\n"
            )
            headers = ["wz", "LQ start", "LQ end", "start", "end", "change", "reference",
                       "mix", "local"]  # fmt: skip
            body = [
                (r.sector, result.start_location_quotients.get(r.sector),
                 result.location_quotients.get(r.sector), r.start, r.end, r.change,
                 r.reference_growth, r.industry_mix, r.local)
                for r in (*ss.rows, ss.total)
            ]  # fmt: skip
            note = ""
            if ss.total.change is None:
                missing = [r.sector for r in ss.rows if r.change is None]
                note = f"\n(no totals: figures missing for {', '.join(missing)})"
            return head + _table(headers, body) + note

        return result, text

    # ----------------------------------------------------------------- potentials

    def _potentials(self, options: dict[str, Any], as_of: dt.date) -> tuple[Any, Any]:
        result: PotentialsResult = potentials_from_db(
            as_of=as_of,
            min_count=options.get("min_count"),
            shortage_source=options["shortage_source"],
            generic_offers=options["generic_offers"],
        )
        data = {
            "as_of": as_of,
            "shortage_source": result.shortage.source_note,
            "targets": result.targets,
            "total_potential": result.total_potential,
            "rows_with_potential_not_shown": result.rows_suppressed,
            "job_seekers_occupations": result.job_seekers_occupations,
            "job_seekers_occupations_left_out": result.job_seekers_left_out,
            "moves_observed": result.moves_observed,
            "offers": {
                "qualifying_with_places": len(result.offers.offers),
                "offers_with_occupations": result.offers.matched,
                "training_offers_without_occupations": result.offers.generic,
                "unknown_capacity": result.offers.unknown_capacity,
            },
            "min_count": result.min_count,
            "rules": result.rules,
            "potentials": result.potentials,
        }

        def text() -> str:
            targets = ", ".join(f"{t.kldb} (gap {t.gap})" for t in result.targets) or "none"
            o = result.offers
            head = (
                f"potentials on {as_of}; shortage occupations: {targets}\n"
                f"job seekers: {result.shortage.source_note}; moves observed "
                f"{result.moves_observed:,}; offers with occupations {o.matched}, training "
                f"offers without {o.generic}, {len(o.offers)} qualifying with free places\n"
                f"total potential: {result.total_potential:,}"
                f" (+{result.rows_suppressed} rows under {result.min_count}, not shown)\n\n"
            )
            headers = ["#", "target", "source", "seekers", "score", "dist", "moves", "share",
                       "offer?", "potential", "reasons"]  # fmt: skip
            body = [
                (p.rank, p.target, p.source, p.job_seekers, p.score, p.distance, p.moves,
                 p.move_share, "yes" if p.needs_offer else "no", p.potential, ",".join(p.reasons))
                for p in result.potentials[: options["limit"]]
            ]  # fmt: skip
            return head + _table(headers, body)

        return data, text

    # ----------------------------------------------------------------- hiring

    def _hiring(self, options: dict[str, Any], as_of: dt.date) -> tuple[Any, Any]:
        result: HiringResult = hiring_from_db(
            as_of=as_of,
            quarters=options["quarters"],
            district=_district(options.get("district")),
        )
        bt = result.backtest
        data = {
            "as_of": as_of,
            "district": result.district,
            "windows": [{"from": a, "to": b} for a, b in result.windows],
            "first_window_partial": result.first_window_partial,
            "first_published": result.first_published,
            "vacancies_counted": result.vacancies_counted,
            "employers": len(result.series),
            "backtest": {
                "forecasts": bt.forecasts,
                "model_mae": bt.model_mae,
                "naive_mae": bt.naive_mae,
                "min_train": bt.min_train,
                "employers_shipping_model": result.shipping_model,
                "fallbacks": result.fallback_reasons,
                "per_employer": bt.employers,
            },
            "forecasts": [
                {
                    "employer": f.employer,
                    "name": result.employers.get(f.employer, ""),
                    "forecast": f.forecast,
                    "method": f.method,
                    "reason": f.reason,
                    "model_forecast": f.model_forecast,
                    "naive_forecast": f.naive_forecast,
                    "model_mae": f.backtest.model_mae,
                    "naive_mae": f.backtest.naive_mae,
                }
                for f in result.forecasts
            ],
        }

        def text() -> str:
            first, last = result.windows[0][0], result.windows[-1][1]
            partial = (
                f" (the data start {result.first_published}, inside the first window)"
                if result.first_window_partial
                else ""
            )
            where = f" in {result.district.name}" if result.district else ""
            head = (
                f"hiring{where} on {as_of}: {len(result.series)} employers, "
                f"{result.vacancies_counted:,} vacancies published {first} … {last} in "
                f"{len(result.windows)} three-month windows{partial}\n"
                f"back-test ({bt.forecasts:,} forecasts from window {bt.min_train + 1} on): "
                f"MAE model {_cell(bt.model_mae)}, naive {_cell(bt.naive_mae)}; "
                f"model shipped for {result.shipping_model} of {len(result.forecasts)} "
                f"employers, fallbacks {result.fallback_reasons or 'none'}\n\n"
                "forecast of vacancies in the next three months:\n"
            )
            headers = ["employer", "forecast", "method", "model", "naive", "MAE model",
                       "MAE naive"]  # fmt: skip
            body = [
                (result.employers.get(f.employer, f.employer)[:40], f.forecast, f.method,
                 f.model_forecast, f.naive_forecast, f.backtest.model_mae, f.backtest.naive_mae)
                for f in result.forecasts[: options["limit"]]
            ]  # fmt: skip
            return head + _table(headers, body)

        return data, text


def _last(points: list[SeriesPoint], n: int) -> list[SeriesPoint]:
    by_series: dict[tuple[str, str], list[SeriesPoint]] = {}
    for p in points:
        by_series.setdefault((p.region, p.group), []).append(p)
    return [p for series in by_series.values() for p in series[-n:]]

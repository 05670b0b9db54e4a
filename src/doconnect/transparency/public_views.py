"""The public pages: published yearly reports, without login. They read only stored
snapshots (``transparency.PublishedReport``) that are not withdrawn; a year without one
is a 404 for everybody, signed in or not. Every figure on them was protected when the
report was built."""

from __future__ import annotations

from functools import lru_cache

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, translation
from django.views.decorators.http import require_GET

from doconnect.charts.chart import chart_export_response
from doconnect.decisions.selectors import public_decisions
from doconnect.transparency.models import PublishedReport
from doconnect.transparency.render import figures_csv, for_reader, report_charts, report_pdf


def published_report(year: int) -> PublishedReport:
    """The year's public report, or 404 (never a draft, never a withdrawn one)."""
    report = PublishedReport.objects.public().filter(year=year).first()
    if report is None:
        raise Http404
    return report


PUBLIC_INDEX_DECISIONS = 10


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    reports = list(PublishedReport.objects.public().only("year", "title", "published_at"))
    decisions = list(public_decisions()[:PUBLIC_INDEX_DECISIONS])
    return render(
        request, "transparency/public/index.html", {"reports": reports, "decisions": decisions}
    )


@require_GET
def public_report(request: HttpRequest, year: int) -> HttpResponse:
    report = published_report(year)
    content = for_reader(report.content)
    charts = report_charts(content)
    exported = chart_export_response(request, list(charts.values()))
    if exported is not None:
        return exported
    return render(
        request,
        "transparency/public/report.html",
        {"report": content, "published": report, "charts": charts, "preview": False},
    )


def published_line(report: PublishedReport) -> str:
    with translation.override("de"):
        when = formats.date_format(report.published_at, "SHORT_DATE_FORMAT")
    return f"Veröffentlicht am {when}"


@lru_cache(maxsize=8)
def _pdf(pk: int, published_at: str) -> bytes:
    """A snapshot never changes, so its PDF is made once per process."""
    report = PublishedReport.objects.get(pk=pk)
    return report_pdf(report.content, published=published_line(report))


@require_GET
def public_report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    report = published_report(year)
    response = HttpResponse(
        _pdf(report.pk, report.published_at.isoformat()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="jahresbericht-{year}.pdf"'
    return response


@require_GET
def public_report_csv(request: HttpRequest, year: int) -> HttpResponse:
    report = published_report(year)
    response = HttpResponse(
        figures_csv(report.content).encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="jahresbericht-{year}-zahlen.csv"'
    return response

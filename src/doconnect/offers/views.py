"""Offer catalogue, offer pages and the offer edit form.

Offers are not personal data: anybody who works for an organisation on the platform
sees the catalogue and the offer pages (a login without membership gets 403). The
participants on an offer page are personal data and go through the access module;
changing an offer goes through ``offer_for_edit`` and ``offer_update``, the same
functions the API's PATCH calls."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from doconnect.charts.chart import Chart, Span, chart_export_response, timeline_chart
from doconnect.core.paging import KeptCountPaginator
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.offers.filters import (
    OfferCriteria,
    OfferPage,
    find_offers,
    may_see_participants,
    offer_page,
    visible_participants,
)
from doconnect.offers.forms import ALL_STATUSES, OfferEditForm, OfferFilterForm
from doconnect.offers.models import Funder, OfferStatus
from doconnect.offers.selectors import may_edit_offer, offer_for_edit
from doconnect.offers.services import offer_update
from doconnect.people.access import records_for_page
from doconnect.people.access_rules import Purpose
from doconnect.referrals.selectors import answer_statistics

# Zweckbindung: an offer's participants are shown for placement (who takes part where).
PURPOSE = Purpose.PLACEMENT

OFFERS_PER_PAGE = 25


def _require_membership(viewer: Viewer) -> None:
    if not viewer.memberships:
        raise PermissionDenied


@login_required
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    _require_membership(request_viewer(request))
    form = OfferFilterForm.from_query(request.GET)
    form.is_valid()
    # A bad value (an unknown district key in an old link) drops that filter only.
    offers = find_offers(_criteria(form.cleaned_data), day=timezone.localdate())
    page = KeptCountPaginator(offers, OFFERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    # htmx replaces only the results region; without JavaScript the whole page comes.
    template = (
        "offers/offer_list_results.html"
        if request.headers.get("HX-Request")
        else "offers/offer_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _criteria(data: dict[str, Any]) -> OfferCriteria:
    """The filter form's valid input as the shared offer filter; without a status the
    catalogue shows active offers, "all" every status."""
    district, target_group = data.get("district"), data.get("target_group")
    status = data.get("status") or OfferStatus.ACTIVE
    return OfferCriteria(
        text=data.get("q", ""),
        kind=data.get("kind", ""),
        district=district.official_key if district is not None else "",
        target_group=target_group.code if target_group is not None else "",
        funder=data.get("funder", ""),
        status="" if status == ALL_STATUSES else status,
        free_only=bool(data.get("free")),
    )


def _euro(amount: Decimal) -> str:
    return f"{formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


def _funding_chart(page: OfferPage) -> Chart:
    labels = dict(Funder.choices)
    spans = [
        Span(
            row=str(labels.get(line.funder, line.funder)),
            group=str(labels.get(line.funder, line.funder)),
            start=line.start,
            end=line.end,
            note=_euro(line.amount_eur),
        )
        for line in page.funding
    ]
    return timeline_chart(
        slug="funding",
        title=_("Finanzierung über die Zeit"),
        description=_(
            "Ein Balken je Finanzierung von Beginn bis Ende, eine Zeile je Geldgeber; "
            "der Betrag steht in der Tabelle."
        ),
        row_title=_("Geldgeber"),
        group_title=_("Geldgeber"),
        start_title=_("Beginn"),
        end_title=_("Ende"),
        note_title=_("Betrag"),
        open_end_label=_("offen"),
        spans=spans,
        today=timezone.localdate(),
    )


@login_required
@require_GET
def offer_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    viewer = request_viewer(request)
    _require_membership(viewer)
    day = timezone.localdate()
    page = offer_page(external_id, day)
    if page is None:
        raise Http404(external_id)
    charts = [_funding_chart(page)] if page.funding else []
    # Before the participants are read: an export shows (and audits) nothing else.
    if response := chart_export_response(request, charts):
        return response
    participants = None  # None: the section is absent, not empty
    if may_see_participants(viewer):
        participants = [
            record
            for record in records_for_page(
                viewer,
                visible_participants(viewer, page.offer, day),
                view="web.offer_detail",
                purpose=PURPOSE,
            )
            # One who is also an analyst: not those seen only coarsened (see filters).
            if not record.coarsened
        ]
    return render(
        request,
        "offers/offer_detail.html",
        {
            "page": page,
            "offer": page.offer,
            "funding_chart": charts[0] if charts else None,
            "funding_rows": [(line, _euro(line.amount_eur)) for line in page.funding],
            "participants": participants,
            "may_edit": may_edit_offer(viewer, page.offer),
            "answers": answer_statistics([page.offer.pk]).get(page.offer.pk),
            "answer_days": settings.REFERRAL_ANSWER_DAYS,
            "today": day,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, external_id: str) -> HttpResponse:
    viewer = request_viewer(request)
    offer = offer_for_edit(viewer, external_id)
    if request.method != "POST":
        form = OfferEditForm(initial=OfferEditForm.initial_for(offer))
        return render(request, "offers/offer_edit.html", {"form": form, "offer": offer})
    form = OfferEditForm(request.POST)
    if form.is_valid():
        assert request.user.is_authenticated  # login_required
        try:
            changed = offer_update(offer=offer, changed_by=request.user, **form.changes())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if changed:
                messages.success(request, _("Das Angebot ist gespeichert."))
            else:
                messages.info(request, _("Es gab keine Änderungen zu speichern."))
            return redirect("web:offer_detail", external_id=offer.external_id)
    return render(request, "offers/offer_edit.html", {"form": form, "offer": offer}, status=400)

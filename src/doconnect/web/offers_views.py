"""Offer catalogue, offer pages and the offer edit form."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def offer_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def offer_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    raise Http404


def offer_edit(request: HttpRequest, external_id: str) -> HttpResponse:
    raise Http404

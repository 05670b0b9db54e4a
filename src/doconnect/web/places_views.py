"""Providers and districts: their offers and key figures."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def provider_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def provider_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    raise Http404


def district_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def district_detail(request: HttpRequest, official_key: str) -> HttpResponse:
    raise Http404

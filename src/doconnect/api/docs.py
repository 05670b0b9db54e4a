"""The API's browsable documentation at /api/docs: django-ninja's Swagger page, but with
Swagger UI from our own static files (npm's swagger-ui-dist) instead of a public CDN,
since nothing of the platform may load from a third party (privacy, and city networks
without internet)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(Swagger):
    template = "web/api_docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "swagger_settings": json.dumps(settings),
            "api": api,
            # The browser session authenticates with the CSRF token, as our pages do.
            "add_csrf": True,
        }
        return render(request, self.template, context)

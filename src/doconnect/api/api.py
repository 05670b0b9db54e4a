"""The JSON API for Jobcenter and provider systems and for our own pages.

Mounted at /api/ (OpenAPI at /api/openapi.json, docs at /api/docs). Every operation
needs a bearer token or a browser session (see ``auth``); persons go through the access
module, so both ways in see exactly the same."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.operation import Operation

from doconnect.api.docs import LocalSwagger
from doconnect.casework import api as casework
from doconnect.casework import task_api as tasks
from doconnect.core.api.auth import API_AUTH
from doconnect.labourmarket import api as vacancies
from doconnect.offers import api as landscape
from doconnect.pathways import api as pathways
from doconnect.people import api as persons
from doconnect.people import duplicates_api as duplicates
from doconnect.people.access import PersonNotFound
from doconnect.people.agreements import api as agreements
from doconnect.referrals import api as referrals

# Operation ids are part of the interface: generated clients name their methods after
# them. They were minted from the routers' first home (doconnect/api/persons.py,
# landscape.py, referrals.py) and keep those names wherever a router lives now.
OPERATION_ID_PREFIXES = {
    persons.__name__: "doconnect_api_persons",
    landscape.__name__: "doconnect_api_landscape",
    vacancies.__name__: "doconnect_api_landscape",
    referrals.__name__: "doconnect_api_referrals",
    pathways.__name__: "doconnect_api_pathways",
}


class DoConnectAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        prefix = OPERATION_ID_PREFIXES.get(operation.view_func.__module__)
        if prefix is None:
            return super().get_openapi_operation_id(operation)
        return f"{prefix}_{operation.view_func.__name__}"


api = DoConnectAPI(
    title="do-connect API",
    version="1",
    description=(
        "Persons (pseudonymous; personal data only where a role and a valid consent "
        "allow it, every read audited), offers, providers, districts and vacancies. "
        "Authenticate with `Authorization: Bearer <token>` (see `doconnect createuser "
        "--token`) or a browser session with CSRF token."
    ),
    auth=API_AUTH,
    docs=LocalSwagger(),
    urls_namespace="api",
)
api.add_router("", persons.router)
api.add_router("", duplicates.router)
api.add_router("", landscape.router)
api.add_router("", vacancies.router)
api.add_router("", referrals.router)
api.add_router("", pathways.router)
api.add_router("", agreements.router)
api.add_router("", casework.router)
api.add_router("", tasks.router)


@api.exception_handler(PersonNotFound)
def person_not_found(request: HttpRequest, exc: PersonNotFound) -> HttpResponse:
    # One answer for "no such person" and "not for you": nothing leaks.
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)

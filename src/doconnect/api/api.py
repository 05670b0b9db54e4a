"""The JSON API for Jobcenter and provider systems and for our own pages.

Mounted at /api/ (OpenAPI at /api/openapi.json, docs at /api/docs). Every operation
needs a bearer token or a browser session (see ``auth``); persons go through the access
module, so both ways in see exactly the same."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import ValidationError as RequestInvalid
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser

from doconnect.api.docs import LocalSwagger
from doconnect.casework import api as casework
from doconnect.casework import task_api as tasks
from doconnect.core.api.auth import API_AUTH
from doconnect.core.api.dates import document_date_windows
from doconnect.core.api.references import document_references
from doconnect.core.api.text import document_text_rule
from doconnect.core.refusals import ConflictsWithState, RefusedForRole
from doconnect.core.security import NUL_MESSAGE, nul_at
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


# What every operation may answer besides its own responses, declared once so the
# document tells the truth (issue #20, schemathesis): 401 without a valid token, 422
# when a parameter or body does not validate, 400 for a body that is no JSON, 413 for
# one over the request size limit (core/security.py), 409 for a write the stored
# state refuses (core/refusals.py). Each is an ErrorOut.
_ERRORS = {
    "400": "Bad Request: the body is not JSON",
    "401": "Unauthorized",
    "409": "Conflict: well formed, but the stored state refuses it now (e.g. a withdrawn "
    "consent extended, a note corrected twice)",
    "413": "Request body too large",
    "422": "Unprocessable Entity: a parameter or the body does not validate",
}
_METHODS = ("get", "put", "post", "patch", "delete")


class TextParser(Parser):
    """Query parameters as ninja reads them, but a NUL character in one is a 422 at the
    edge: no field may hold one, and PostgreSQL would refuse it with a server error deep
    inside a lookup (schemathesis found it, issue #20). JSON bodies: core.security."""

    def parse_querydict(
        self, data: MultiValueDict[str, str], list_fields: list[str], request: HttpRequest
    ) -> dict[str, object]:
        result = super().parse_querydict(data, list_fields, request)
        found = nul_at(result, ["query"])
        if found is not None:
            raise RequestInvalid([{"type": "value_error", "loc": found, "msg": NUL_MESSAGE}])
        return result


class DoConnectAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, object] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema["paths"].values():
            for method in _METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                has_body = "requestBody" in operation
                wanted = ["401"]
                if has_body or operation.get("parameters"):
                    wanted.append("422")
                if has_body:
                    wanted += ["400", "413"]
                if method != "get":
                    # A write without a body may meet the stored state too (a duplicate
                    # pair dismissed twice).
                    wanted.append("409")
                responses = operation.setdefault("responses", {})
                # The routers' own codes are ints, these strings: compare as text, or
                # the document would name "422" twice (a YAML reader refuses that).
                declared = {str(code) for code in responses}
                for status in wanted:
                    if status not in declared:
                        responses[status] = {
                            "description": _ERRORS[status],
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ErrorOut"}
                                }
                            },
                        }
        document_date_windows(schema)
        document_references(schema)
        document_text_rule(schema)
        return schema

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
    parser=TextParser(),
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


@api.exception_handler(RefusedForRole)
def refused_for_role(request: HttpRequest, exc: RefusedForRole) -> HttpResponse:
    # Found before the ValidationError handler below: ninja looks along the class's MRO.
    return api.create_response(request, {"detail": exc.message_dict}, status=403)


@api.exception_handler(ConflictsWithState)
def conflicts_with_state(request: HttpRequest, exc: ConflictsWithState) -> HttpResponse:
    # Found before the ValidationError handler below, like RefusedForRole.
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=409)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)

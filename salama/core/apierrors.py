"""How the API answers errors: one JSON shape, one place, declared in the OpenAPI document.

Every answer that is not a success has the body ``{"detail": str, "errors": [{field, message}]}``
(``errors`` lists the fields at fault; it is empty when the error is about the whole request):

- the body cannot be parsed → 400; no or bad credentials → 401;
- a role or token scope that may not act (``PermissionDenied``) → 403;
- missing and not-yours (``Http404``) → 404, never distinguished;
- a stale ``version`` (``ConflictError``) → 409;
- a body larger than the server accepts → 413;
- input outside its declared limits (ninja's validation) or a broken rule (Django's
  ``ValidationError`` from a service) → 422 with the fields at fault;
- too many requests → 429 (with ``Retry-After`` when known);
- anything unexpected → 500, logged with its traceback; the body never carries it.

``install_error_handlers`` registers these on the NinjaAPI; ``document_errors`` adds them to every
operation of the OpenAPI document so that what the API answers is what it declares.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from salama.core import diskfull
from salama.core.errors import ConflictError

T = TypeVar("T")

logger = logging.getLogger("salama.api")

# Where ninja reports a parameter: the first element of a validation error's location.
_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})


class FieldErrorOut(Schema):
    field: str = Field(
        description="The input at fault as a dotted path, e.g. `other_names.2.kind`; "
        "empty when the error concerns the whole request."
    )
    message: str = Field(description="What is wrong and how to fix it, meant for people.")


class ErrorOut(Schema):
    """The body of every error answer of the API."""

    detail: str = Field(description="What went wrong, in words meant for people.")
    errors: list[FieldErrorOut] = Field(
        default_factory=list, description="The fields at fault (422 only; otherwise empty)."
    )


def call_service(call: Callable[[], T]) -> T:
    """Run a service call. Its exceptions reach the API's handlers, which answer them as HTTP."""
    return call()


def error_response(
    status: int, detail: str, errors: Iterable[tuple[str, str]] = ()
) -> JsonResponse:
    body = {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors]}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _field_path(loc: Iterable[Any]) -> str:
    """`("body", "payload", "other_names", 2, "kind")` → `other_names.2.kind`."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        # The body parameter's own name (e.g. `payload`) is not part of the field's path.
        parts = parts[2:] if parts[0] == "body" else parts[1:]
    # pydantic names the branch of a union that refused the value (`literal['']`,
    # `str-enum[Gender]`); no field name has brackets, so they are dropped.
    return ".".join(p for p in parts if "[" not in p)


def validation_errors(exc: NinjaValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs of a ninja validation error; the rejected input is never echoed."""
    out = []
    for error in exc.errors:
        field = _field_path(error.get("loc", ()))
        message = str(error.get("msg", ""))
        if error.get("type") == "missing" and not field:
            message = _("The request needs a JSON body.")
        if (field, message) not in out:
            out.append((field, message))
    return out


def _service_errors(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            ("" if name == "__all__" else name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in exc.messages]


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, _("Not found."))


def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, str(exc) or _("You do not have permission to do this."))


def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return error_response(409, " ".join(exc.messages))


def _service_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = _service_errors(exc)
    return error_response(422, " ".join(message for _field, message in errors), errors)


def _input_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = validation_errors(exc)
    summary = "; ".join(f"{field}: {message}" if field else message for field, message in errors)
    return error_response(
        422, _("The request is not valid: %(errors)s") % {"errors": summary}, errors
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    response = error_response(exc.status_code, str(exc))
    if isinstance(exc, Throttled) and exc.wait is not None:
        response["Retry-After"] = str(max(1, int(exc.wait)))
    return response


def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(413, _("The request is larger than the server accepts."))


def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(400, _("The request cannot be read."))


def unexpected_error(request: HttpRequest, exc: Exception | None = None) -> HttpResponse:
    """A 500 whose body says nothing about the code; the traceback goes to the log only."""
    if exc is not None and diskfull.is_disk_full(exc):
        return diskfull.api_response(request, exc)  # 507: nothing was saved
    if exc is not None:
        logger.error(
            "Unhandled error answering %s %s",
            request.method,
            request.path,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
    return error_response(
        500,
        _(
            "The server could not answer this request. The error was recorded; try again, and "
            "tell your administrator if it happens again."
        ),
    )


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every exception an endpoint raises as the declared JSON error."""
    handlers: Mapping[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
        Exception: unexpected_error,
        Http404: _not_found,
        PermissionDenied: _forbidden,
        ConflictError: _conflict,
        ValidationError: _service_invalid,
        NinjaValidationError: _input_invalid,
        HttpError: _http_error,
        RequestDataTooBig: _too_big,
        TooManyFieldsSent: _too_big,
        SuspiciousOperation: _bad_request,
        MultiPartParserError: _bad_request,
        UnreadablePostError: _bad_request,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, handler)


# The OpenAPI document ----------------------------------------------------------------------------

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The body is not valid JSON (or not the declared media type).",
    401: "No credentials, or an invalid, expired or revoked token, or a session without its "
    "second factor.",
    403: "Your role (or your token's scopes) does not allow this.",
    404: "Not found — or not yours; the two are never distinguished.",
    409: "The record changed since the `version` you sent: read it again and retry.",
    413: "The request body is larger than the server accepts.",
    414: "The URL (with its query string) is longer than the server in front accepts (gunicorn: "
    "a request line of 4,094 bytes); the answer comes from that server, not as JSON.",
    422: "Input outside its declared limits, or a rule of the service refused it; `errors` "
    "names the fields.",
    429: "Too many requests in a minute: wait and try again (see `Retry-After`).",
    500: "An unexpected error; it was logged. The body never carries a traceback.",
    507: "The server has run out of disk space; nothing was saved. Tell the administrator.",
}
_UNSAFE = frozenset({"post", "put", "patch", "delete"})
_METHODS = frozenset({"get", "head", "options", *_UNSAFE})


def _codes_for(method: str, operation: Mapping[str, Any]) -> list[int]:
    codes = [401, 403, 404, 422, 429, 500]  # 429: every token has a rate limit
    if "requestBody" in operation:
        codes += [400, 413]
    if method in _UNSAFE:
        codes.append(409)
        codes.append(507)  # a write that met a full disk (salama.core.diskfull)
    if any(p.get("in") == "query" for p in operation.get("parameters", [])):
        # Text parameters within their limits can still, percent-encoded, make a request line
        # longer than the front server takes: it answers 414 itself.
        codes.append(414)
    return sorted(codes)


# Answered by the server in front of the application, not by it: no JSON body to promise.
_FRONT_SERVER_CODES = frozenset({414})


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the error answers (and their one schema) on every operation of the document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in error_schema.pop("$defs", {}).items():
        components[name] = definition
    components[ErrorOut.__name__] = error_schema
    ref = {"$ref": f"#/components/schemas/{ErrorOut.__name__}"}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes_for(method, operation):
                if code in _FRONT_SERVER_CODES:
                    responses.setdefault(str(code), {"description": ERROR_DESCRIPTIONS[code]})
                    continue
                responses.setdefault(
                    str(code),
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return schema

"""The one error hierarchy, and the one place errors are rendered.

Every error leaves the server as JSON `{"error": ClassName, "detail": "..."}` (`ErrorBody`); a 422
adds `errors`, one entry per field, for schema violations (`ValidationError`) and domain rules
(`Unprocessable` subclasses) alike (`ValidationErrorBody`); an unexpected failure is a 500
`InternalError` that names the request id it was logged under (`InternalErrorBody`). The
exception handlers and the middlewares in backend/http.py all answer through `error_response`."""

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request, routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend import logs

log = logging.getLogger(__name__)

# A 422 lists at most this many field errors (and says how many more there were): the list stays
# small to build and to send whatever the body held.
MAX_LISTED_ERRORS = 20


class AppError(Exception):
    status_code = 400
    headers: dict[str, str] | None = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status_code = 403


class NotFound(AppError):
    status_code = 404


class MethodNotAllowed(AppError):
    status_code = 405

    def __init__(self, detail: str, allow: list[str]) -> None:
        super().__init__(detail)
        self.headers = {"Allow": ", ".join(allow)}


class Conflict(AppError):
    status_code = 409


class Gone(AppError):
    status_code = 410


class PreconditionFailed(AppError):
    status_code = 412


class PayloadTooLarge(AppError):
    status_code = 413

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        # The rest of the body is not read, so the connection cannot carry another request.
        self.headers = {"Connection": "close"}


class Unprocessable(AppError):
    """Well-formed input that breaks a domain rule (date outside the window, foreign solution).

    Rendered like a schema violation, with one entry in `errors` whose `type` is the class name;
    `loc` names the field where a subclass knows it (e.g. ("path", "work_date"))."""

    status_code = 422
    loc: ClassVar[tuple[str | int, ...]] = ()


class TooManyRequests(AppError):
    status_code = 429

    def __init__(self, detail: str, retry_after_seconds: int = 60) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds
        self.headers = {"Retry-After": str(retry_after_seconds)}


class InternalError(AppError):
    """Anything the server did not expect; logged with its traceback under the request id."""

    status_code = 500


class ServiceUnavailable(AppError):
    status_code = 503
    retry_after_seconds = 5

    def __init__(self, detail: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(detail)
        if retry_after_seconds is not None:
            self.retry_after_seconds = retry_after_seconds
        self.headers = {"Retry-After": str(self.retry_after_seconds)}


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be used right now (restarting, refusing connections, file gone)."""


class ServerBusy(ServiceUnavailable):
    """More of one expensive kind of work (password hashing) is waiting than the server takes on."""

    retry_after_seconds = 2


# --- Body models (what the OpenAPI document shows for each error status) -----------------------


class ErrorBody(BaseModel):
    error: str
    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """What every 422 carries: one readable sentence and the errors per field (at most
    MAX_LISTED_ERRORS of them; `detail` says how many more there were)."""

    error: str
    detail: str
    errors: list[FieldError]


class InternalErrorBody(BaseModel):
    error: str
    detail: str
    request_id: str | None


# --- Rendering ---------------------------------------------------------------------------------


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "request"


def _describe(error: dict[str, Any]) -> str:
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid" and loc and isinstance(loc[-1], int):
        # FastAPI reports a body that is not JSON at ("body", <character position>): no field.
        reason = (error.get("ctx") or {}).get("error", "not JSON")
        return f"request: Invalid JSON: {reason} at position {loc[-1]}"
    return f"{_field_path(loc)}: {error.get('msg', 'invalid')}"


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One readable sentence per field, e.g. "calm: Input should be less than or equal to 5"."""
    listed = errors[:MAX_LISTED_ERRORS]
    message = "; ".join(_describe(e) for e in listed)
    more = len(errors) - len(listed)
    return f"{message}; and {more} more errors" if more > 0 else message


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "loc": [p if isinstance(p, int | str) else str(p) for p in e.get("loc", ())],
            "msg": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in errors[:MAX_LISTED_ERRORS]
    ]


def validation_error_response(errors: list[dict[str, Any]]) -> JSONResponse:
    """The 422 for schema violations: `errors` as pydantic reports them (loc, msg, type)."""
    body = {
        "error": "ValidationError",
        "detail": validation_message(errors),
        "errors": _field_errors(errors),
    }
    return JSONResponse(body, status_code=422)


_HTTP_NAMES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
}


def error_response(exc: Exception) -> JSONResponse:
    """The response for any exception: the one rendering of every error the server sends."""
    if isinstance(exc, Unprocessable):
        body: dict[str, Any] = {
            "error": type(exc).__name__,
            "detail": exc.detail,
            "errors": [{"loc": list(exc.loc), "msg": exc.detail, "type": type(exc).__name__}],
        }
        return JSONResponse(body, status_code=422, headers=exc.headers)
    if isinstance(exc, InternalError):
        body = {"error": "InternalError", "detail": exc.detail, "request_id": logs.request_id.get()}
        return JSONResponse(body, status_code=500)
    if isinstance(exc, AppError):
        return JSONResponse(
            {"error": type(exc).__name__, "detail": exc.detail},
            status_code=exc.status_code,
            headers=exc.headers,
        )
    if isinstance(exc, RequestValidationError):
        return validation_error_response(list(exc.errors()))
    if isinstance(exc, StarletteHTTPException):
        return JSONResponse(
            {"error": _HTTP_NAMES.get(exc.status_code, "HTTPError"), "detail": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
    return error_response(InternalError("The server failed to handle this request"))


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the API's documented routes take at `path` (what an Allow header lists)."""
    methods: set[str] = set()
    for route in routing.iter_route_contexts(app.routes):
        if (
            isinstance(route.original_route, routing.APIRoute)
            and route.include_in_schema
            and route.path_regex.match(path)
        ):
            methods |= route.methods or set()
    return sorted(methods)


def no_route(request: Request) -> AppError:
    """The error for a request no route takes: 405 with the path's methods, else 404."""
    allow = allowed_methods(request.app, request.url.path)
    if allow:
        return MethodNotAllowed(f"{request.method} is not allowed here", allow)
    return NotFound("No such endpoint")


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    if (
        isinstance(exc, StarletteHTTPException)
        and exc.status_code in (404, 405)
        and request.url.path.startswith("/api/")
    ):
        return error_response(no_route(request))
    if isinstance(exc, DatabaseUnavailable):
        log.warning("%s %s: %s", request.method, logs.redact(request.url.path), exc.detail)
    return error_response(exc)


def install_error_handlers(app: FastAPI) -> None:
    for kind in (AppError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(kind, _handle)

"""The one error hierarchy; every error leaves the API as {"error": ClassName, "detail": ...}."""

from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


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


class Conflict(AppError):
    status_code = 409


class Gone(AppError):
    status_code = 410


class Unprocessable(AppError):
    """Well-formed input that breaks a domain rule (date outside the window, foreign solution)."""

    status_code = 422


class TooManyRequests(AppError):
    status_code = 429

    def __init__(self, detail: str, retry_after_seconds: int = 60) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after_seconds)}


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
    return "; ".join(_describe(e) for e in errors)


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """What every 422 carries: one readable sentence and the errors per field."""

    error: Literal["ValidationError"]
    detail: str
    errors: list[FieldError]


def _field_errors(errors: list[Any]) -> list[FieldError]:
    return [
        FieldError(
            loc=[p if isinstance(p, int | str) else str(p) for p in e.get("loc", ())],
            msg=e.get("msg", ""),
            type=e.get("type", ""),
        )
        for e in errors
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(
            {"error": type(exc).__name__, "detail": exc.detail},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        raw = list(exc.errors())
        body = ValidationErrorBody(
            error="ValidationError", detail=validation_message(raw), errors=_field_errors(raw)
        )
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "NotFound", 405: "MethodNotAllowed", 401: "Unauthorized", 403: "Forbidden"}
        return JSONResponse(
            {"error": names.get(exc.status_code, "HTTPError"), "detail": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )


def document_validation_errors(app: FastAPI) -> None:
    """FastAPI documents each 422 with its own HTTPValidationError ({"detail": [...]}); the handler
    above answers {"error", "detail", "errors"}, so the OpenAPI document is corrected to say so
    (under FastAPI's schema names, which every operation already refers to)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = build().setdefault("components", {}).setdefault("schemas", {})
            body = ValidationErrorBody.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            body.pop("$defs", None)
            body["properties"]["errors"]["items"] = {"$ref": "#/components/schemas/ValidationError"}
            schemas["HTTPValidationError"] = body
            schemas["ValidationError"] = FieldError.model_json_schema()
        assert app.openapi_schema is not None  # build() keeps what it made
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

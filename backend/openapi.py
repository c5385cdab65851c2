"""The OpenAPI document says what the server does: every status each operation can answer, with
the body it carries.

Statuses come from declarations, not from each route's `responses=`: a dependency or endpoint
marked `@raises(NotFound, ...)` adds those errors to every operation that uses it (so
`CurrentMember` documents 401 wherever a member signs a request, a path resource its 404), and
what every operation can answer is added to all of them (422 for a path or query string that is
not text, 500, 503 DatabaseUnavailable; with a body 413, with a form 400). An endpoint added
later is documented by the same rule. schemathesis (tests/test_openapi.py) checks the result
against the live server."""

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

from backend.errors import (
    AppError,
    BadRequest,
    DatabaseUnavailable,
    ErrorBody,
    FieldError,
    InternalError,
    InternalErrorBody,
    PayloadTooLarge,
    ValidationErrorBody,
)

F = TypeVar("F", bound=Callable[..., Any])

# Every API operation: a path or query string that is not UTF-8 text is a 422 before any route
# runs (backend/http.py), anything unexpected a 500, a database that cannot be used a 503.
ALWAYS: tuple[type[AppError], ...] = (InternalError, DatabaseUnavailable)
VALIDATION = "ValidationError"


def raises(*errors: type[AppError]) -> Callable[[F], F]:
    """Declares the errors a dependency or endpoint can answer with (for the OpenAPI document)."""

    def mark(function: F) -> F:
        function.__raises__ = (*getattr(function, "__raises__", ()), *errors)  # type: ignore[attr-defined]
        return function

    return mark


def not_nullable(
    nullable_attribute: str | None = None, *, only: tuple[str, ...] | None = None
) -> Callable[[dict[str, Any], type], None]:
    """A model's `json_schema_extra` for fields typed `X | None = None` that may be left out but
    not sent as null (PATCH bodies): the document shows them as `X`, which is what is accepted.
    The fields named in the model's `nullable_attribute` (a frozenset) keep their null; `only`
    limits the rule to the fields named."""

    def strip(schema: dict[str, Any], model: type) -> None:
        keep = frozenset(getattr(model, nullable_attribute, ())) if nullable_attribute else ()
        for name, prop in schema.get("properties", {}).items():
            if name in keep or (only is not None and name not in only):
                continue
            options = prop.get("anyOf")
            if options and {"type": "null"} in options:
                rest = [option for option in options if option != {"type": "null"}]
                prop.pop("anyOf")
                prop.pop("default", None)
                if len(rest) == 1:
                    prop.update(rest[0])
                else:
                    prop["anyOf"] = rest

    return strip


def _calls(dependant: Dependant) -> Iterator[Any]:
    yield dependant.call
    for dependency in dependant.dependencies:
        yield from _calls(dependency)


def declared_errors(route: Any) -> set[type[AppError]]:
    """The errors an operation declares through its endpoint and all its dependencies."""
    errors: set[type[AppError]] = set()
    for call in _calls(route.dependant):
        errors.update(getattr(call, "__raises__", ()))
    return errors


def _ref(model: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}}}


def _document(operation: dict[str, Any], errors: set[type[AppError]]) -> None:
    responses = operation.setdefault("responses", {})
    by_status: dict[int, list[str]] = {}
    for error in errors:
        by_status.setdefault(error.status_code, []).append(error.__name__)
    by_status.setdefault(422, []).append(VALIDATION)
    for status, names in sorted(by_status.items()):
        model = (
            "HTTPValidationError"
            if status == 422
            else "InternalErrorBody"
            if status == 500
            else "ErrorBody"
        )
        responses[str(status)] = {"description": ", ".join(sorted(set(names))), **_ref(model)}


def install(app: FastAPI) -> None:
    """Replaces app.openapi with one that documents every error status as declared."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        # Under FastAPI's names, which its own 422 entries already refer to.
        body = ValidationErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        body.pop("$defs", None)
        body["properties"]["errors"]["items"] = {"$ref": "#/components/schemas/ValidationError"}
        schemas["HTTPValidationError"] = body
        schemas["ValidationError"] = FieldError.model_json_schema()
        schemas["ErrorBody"] = ErrorBody.model_json_schema()
        schemas["InternalErrorBody"] = InternalErrorBody.model_json_schema()
        for route in routing.iter_route_contexts(app.routes):
            if not (
                isinstance(route.original_route, routing.APIRoute)
                and route.include_in_schema
                and (route.path_format or "").startswith("/api/")
            ):
                continue
            for method in route.methods or ():
                operation = document["paths"][route.path_format][method.lower()]
                errors = declared_errors(route) | set(ALWAYS)
                content = operation.get("requestBody", {}).get("content", {})
                if content:
                    errors.add(PayloadTooLarge)
                if any("form" in media for media in content):
                    errors.add(BadRequest)
                _document(operation, errors)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]

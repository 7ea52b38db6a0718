"""Errors as JSON problem documents (RFC 9457): type, title, status, detail, field."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class ProblemDocument(BaseModel):
    """The body of every error answer (RFC 9457), with the request field at fault."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = Field(description="The request field at fault, where there is one.")


class Problem(Exception):
    """An error answered as a problem document; `extra` adds members (e.g. `stale`)."""

    def __init__(
        self,
        status: int,
        detail: str,
        field: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.title = title or TITLES.get(status, "Error")
        self.headers = headers
        self.extra = extra


def problem_response(problem: Problem) -> JSONResponse:
    """The HTTP response for a problem."""
    body = {
        "type": "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "field": problem.field,
        **problem.extra,
    }
    return JSONResponse(body, problem.status, headers=problem.headers, media_type=MEDIA_TYPE)


def field_of(loc: Sequence[Any]) -> str:
    """`body.queries.q1.properties` → `queries.q1.properties` (where the error is)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts)


async def _on_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc)


async def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": ""}
    if first.get("type") == "json_invalid":
        problem = Problem(400, f"malformed JSON: {first.get('msg', '')}", "body")
    else:
        where = field_of(first.get("loc", ()))
        problem = Problem(422, f"{where or 'request'}: {first.get('msg', 'invalid')}", where)
    return problem_response(problem)


def _leaf_routes(routes: Sequence[Any]) -> list[Any]:
    """The routes themselves, those of included routers (which FastAPI keeps nested) too."""
    out: list[Any] = []
    for route in routes:
        router = getattr(route, "original_router", None)
        out.extend(_leaf_routes(router.routes) if router is not None else [route])
    return out


def _allowed_methods(request: Request) -> str | None:
    """Every method some route serves at this path (a path may have one route per method,
    and the router only names the first one's)."""
    methods: set[str] = set()
    for route in _leaf_routes(request.app.router.routes):
        found, _ = route.matches({**request.scope, "method": "GET"})
        if found != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods)) or None


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405 and (allow := _allowed_methods(request)):
        headers = {**(headers or {}), "Allow": allow}
    # FastAPI raises a bare 400 only when it cannot read the body (e.g. not UTF-8)
    field = "body" if exc.status_code == 400 else None
    return problem_response(Problem(exc.status_code, str(exc.detail), field, headers=headers))


async def _on_error(_request: Request, exc: Exception) -> JSONResponse:
    return problem_response(Problem(500, f"unexpected error ({type(exc).__name__})"))


def install(app: FastAPI) -> None:
    """Answer every error of `app` as a problem document."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_error)


SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""A JSON escape of a UTF-16 surrogate (`\\ud800`): the one way a request body can carry
text that is not valid Unicode (raw bytes of one are not valid UTF-8, refused as such)."""


def lone_surrogate(value: Any, where: str = "") -> str | None:
    """The field (`queries.q1.properties.name.0`) of the first text in a decoded JSON
    value holding a lone surrogate, else None. Such text cannot be stored, hashed or
    answered as UTF-8, and no name is written with one."""
    if isinstance(value, str):
        return where or "body" if any("\ud800" <= c <= "\udfff" for c in value) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        name = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
        path = f"{where}.{name}" if where else name
        found = lone_surrogate(key, path) if isinstance(key, str) else None
        found = found or lone_surrogate(item, path)
        if found:
            return found
    return None


def surrogate_problem(field: str) -> Problem:
    """422 for text that is not valid Unicode, naming where it is."""
    return Problem(
        422, f"{field}: text holds a lone surrogate (not valid Unicode); send UTF-8 text", field
    )


def body_surrogate(body: bytes) -> str | None:
    """The field of a JSON body's text holding a lone surrogate, else None (cheap for
    bodies without a surrogate escape; a body that is not JSON is the app's to refuse)."""
    if not SURROGATE_ESCAPE.search(body):
        return None
    try:
        return lone_surrogate(json.loads(body))
    except (ValueError, RecursionError):
        return None


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413, whether or not they say their
    length up front, and JSON bodies with text that is not valid Unicode with 422; the
    body read is replayed to the app."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = Problem(413, f"request body larger than {self.limit} bytes", "body")
        await problem_response(problem)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        field = body_surrogate(b"".join(chunks))
        if field is not None:
            await problem_response(surrogate_problem(field))(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Route `responses` documenting these error statuses (as problem documents)."""
    return {status: {"description": TITLES.get(status, "Error")} for status in statuses}


def _is_default_validation(response: dict[str, Any]) -> bool:
    ref = str(response.get("content", {}).get("application/json", {}).get("schema", {}))
    return "HTTPValidationError" in ref


def install_openapi(app: FastAPI, schemas: dict[str, Any] | None = None) -> None:
    """Make `/openapi.json` say what the API answers on errors: every 4xx/5xx a route
    documents is a problem document (application/problem+json), FastAPI's default 422
    included, unless the route gave that status a body of its own. `schemas` are added to
    the components (for request bodies a route reads itself)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        ref = {"$ref": "#/components/schemas/ProblemDocument"}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    if status[:1] not in ("4", "5"):
                        continue
                    if "content" not in response or _is_default_validation(response):
                        response["content"] = {MEDIA_TYPE: {"schema": ref}}
                        response["description"] = TITLES.get(int(status), "Error")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ProblemDocument"] = ProblemDocument.model_json_schema()
        components.update(schemas or {})
        text = str(schema["paths"])
        for unused in ("HTTPValidationError", "ValidationError"):
            if f"#/components/schemas/{unused}'" not in text:
                components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

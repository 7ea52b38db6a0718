"""Errors as JSON problem documents (RFC 9457): type, title, status, detail, field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    422: "Invalid request",
    500: "Internal error",
    503: "Service unavailable",
}


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


def _field(loc: Sequence[Any]) -> str:
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
        where = _field(first.get("loc", ()))
        problem = Problem(422, f"{where or 'request'}: {first.get('msg', 'invalid')}", where)
    return problem_response(problem)


async def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
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


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413, whether or not they say their
    length up front; the body read is replayed to the app."""

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
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

"""CORS for the reconciliation service: OpenRefine fetches its manifest from the browser
(another origin), trying CORS before JSONP. Every answer under `/reconcile/` allows any
origin, and a preflight (OPTIONS) is answered at once. Other routes are not opened to
browsers of other origins."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/reconcile/"
ALLOW = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"x-batch-size, x-sanctum-stale"),
]
DEFAULT_HEADERS = b"authorization, x-api-key, content-type"


class ReconcileCors:
    """Adds `Access-Control-Allow-Origin: *` to every answer under /reconcile/ and answers
    its preflight requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            asked = headers.get(b"access-control-request-headers", DEFAULT_HEADERS)
            reply = [
                *ALLOW,
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", asked),
                (b"access-control-max-age", b"600"),
                (b"content-length", b"0"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": reply})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_allowed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *ALLOW]}
            await send(message)

        await self.app(scope, receive, send_allowed)

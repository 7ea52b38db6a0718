"""The forms an API key may come in: yente's clients (nomenklatura's `YenteEnricher`) send
`Authorization: ApiKey <key>`; `Bearer` and `X-API-Key` as before; `?api_key=` only where
the route allows it (reconciliation)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from sanctum.api.deps import presented_key


def request(headers: dict[str, str], query: str = "") -> Request:
    """A request carrying these headers and query string."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "headers": raw, "query_string": query.encode()})


@pytest.mark.parametrize(
    ("headers", "query", "in_query", "found"),
    [
        ({"Authorization": "ApiKey sk_1_abc"}, "", False, "sk_1_abc"),
        ({"Authorization": "apikey sk_1_abc "}, "", False, "sk_1_abc"),
        ({"Authorization": "Bearer sk_1_abc"}, "", False, "sk_1_abc"),
        ({"X-API-Key": "sk_1_abc"}, "", False, "sk_1_abc"),
        ({"Authorization": "Basic c2s6eA=="}, "", False, None),
        ({"Authorization": "ApiKey "}, "", False, None),
        ({}, "api_key=sk_1_abc", False, None),
        ({}, "api_key=sk_1_abc", True, "sk_1_abc"),
    ],
)
def test_key_forms(headers: dict[str, str], query: str, in_query: bool, found: str | None) -> None:
    assert presented_key(request(headers, query), in_query) == found

"""Schemathesis against the live `/openapi.json` of a real server on loopback: no request
it generates gets a 500, and every answer conforms to the documented status codes and
response schemas.

Bounded and deterministic: Hypothesis derandomized, at most MAX_EXAMPLES generated requests
per operation and generation mode (valid data, then invalid data), no shrinking (the failure
report carries a curl command that reproduces each failure). An admin key is sent so the
handlers, not only the auth check, are exercised. The session store is shared, so operations
that change it beyond appending audit rows are left out: everything under /admin/ (pulling
list updates) and any key management.

The operations are driven from one test rather than schemathesis' pytest plugin, whose
lazy-schema loader does not run under pytest 9 (it rewrites `Function._nodeid`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from sanctum.api.app import create_app

from .conftest import Keys, Running, serve, store_copy

MAX_EXAMPLES = 20
TIMEOUT = 120
"""Seconds a request may take (diffs over years of versions, on a busy machine)."""
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MUTATING = r"^/admin/|/keys"
# Path parameters (and the query parameters of KNOWN_QUERY) replaced by values that exist, for a
# second request per generated case, so generated bodies and query strings reach past the
# 404 of an unknown dataset, id or source.
KNOWN = {"dataset": "default", "entity_id": "us-ofac-sdn-37658"}
KNOWN_QUERY = {
    "source": "us_ofac_sdn",
    "from": "2021-07-07",
    "algorithm": "best",
    "changed_since": "2023-11-30",
}
"""Which operation reaches its handler with a generated body depended on the generated query
string: in one whole-suite run every `/match` case carried an unknown `algorithm` or an
impossible `changed_since`, and the documented example never got its 200."""
# Operations the API must publish (others may be added; these must not silently vanish).
EXPECTED = {
    "GET /healthz",
    "GET /readyz",
    "GET /catalog",
    "GET /entities/{entity_id}",
    "GET /diff",
    "POST /match/{dataset}",
    "POST /screen/addresses",
    "GET /search/{dataset}",
    "GET /reconcile/{dataset}",
    "POST /reconcile/{dataset}",
    "GET /algorithms",
    "GET /reconcile/{dataset}/suggest/entity",
    "GET /reconcile/{dataset}/view/{entity_id}",
}


def known_variant(case: Case[Any]) -> Case[Any] | None:
    """The same case with known-good path parameters and source, or None when it has none
    to replace."""
    params: dict[str, Any] = dict(case.path_parameters or {})
    query: dict[str, Any] = dict(case.query or {})
    new_params = {k: v for k, v in KNOWN.items() if k in params and params[k] != v}
    new_query = {k: v for k, v in KNOWN_QUERY.items() if k in query and query[k] != v}
    if not new_params and not new_query:
        return None
    variant: Case[Any] = case.operation.Case(
        method=case.method,
        path_parameters={**params, **new_params},
        headers=case.headers,
        cookies=case.cookies,
        query={**query, **new_query},
        body=case.body,
        media_type=case.media_type,
    )
    return variant


def exercise(
    operation: Any,
    mode: GenerationMode,
    url: str,
    headers: dict[str, str],
    seen: Counter[int],
    checks: list[Any] = CHECKS,
) -> None:
    """Up to MAX_EXAMPLES generated requests for one operation; raises on the first failure.
    Counts the status codes answered in `seen`."""

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Case[Any]) -> None:
        for each in (case, known_variant(case)):
            if each is None:
                continue
            response = each.call_and_validate(
                base_url=url, headers=headers, checks=checks, timeout=TIMEOUT
            )
            seen[response.status_code] += 1

    run()


def test_every_operation_declares_its_answers(api: Running) -> None:
    """Every operation's 2xx answer has a schema, so response conformance checks it."""
    spec = httpx.get(api.url + "/openapi.json", timeout=30).json()
    bare = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            ok = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
            schemas = [c.get("schema") for r in ok.values() for c in r.get("content", {}).values()]
            if not ok or not all(schemas) or any(s == {} for s in schemas):
                bare.append(f"{method.upper()} {path}")
    assert not bare, bare


def test_every_body_declares_a_malformed_body(api: Running) -> None:
    """An operation that reads a request body documents 400, the answer to bytes that are
    not JSON."""
    spec = httpx.get(api.url + "/openapi.json", timeout=30).json()
    silent = [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation and "400" not in operation["responses"]
    ]
    assert not silent, silent


def send_examples(
    operation: Any, spec: dict[str, Any], url: str, headers: dict[str, str], seen: Counter[int]
) -> None:
    """Each JSON body example the schema documents for `operation`, sent as it is with
    known path parameters and checked like a generated case. Whether schemathesis sent the
    examples depended on the run: in whole-suite runs of 8 December no `/match` case with
    the example reached its handler, alone it did."""
    definition = spec["paths"][operation.path][operation.method.lower()]
    content = definition.get("requestBody", {}).get("content", {}).get("application/json", {})
    for example in content.get("examples", {}).values():
        names = [p["name"] for p in definition.get("parameters", []) if p["in"] == "path"]
        case = operation.Case(
            method=operation.method.upper(),
            path_parameters={name: KNOWN[name] for name in names},
            body=example["value"],
            media_type="application/json",
        )
        response = case.call_and_validate(
            base_url=url, headers=headers, checks=CHECKS, timeout=TIMEOUT
        )
        seen[response.status_code] += 1


def test_api_conforms_to_its_schema(api: Running, api_keys: Keys) -> None:
    schema = schemathesis.openapi.from_url(api.url + "/openapi.json", timeout=30).exclude(
        path_regex=MUTATING
    )
    spec = httpx.get(api.url + "/openapi.json", timeout=30).json()
    headers = {"Authorization": f"Bearer {api_keys.admin}"}
    statuses: dict[str, Counter[int]] = {}
    failures: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"invalid operation in the schema: {result.err()}")
            continue
        operation = result.ok()
        seen = statuses.setdefault(operation.label, Counter())
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                exercise(operation, mode, api.url, headers, seen)
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as exc:
                failures.append(f"{operation.label} ({mode.value} data): {exc}")
        try:
            send_examples(operation, spec, api.url, headers, seen)
        except Exception as exc:
            failures.append(f"{operation.label} (documented example): {exc}")
    labels = set(statuses)
    print({label: dict(sorted(seen.items())) for label, seen in sorted(statuses.items())})
    assert labels >= EXPECTED, sorted(EXPECTED - labels)
    assert not [x for x in labels if x.split(" ", 1)[1].startswith("/admin/")]
    assert not failures, "\n\n".join(failures)
    # The key and the known-good parameters let generated requests reach the handlers.
    unanswered = [label for label in EXPECTED if not any(200 <= c < 300 for c in statuses[label])]
    assert not unanswered, {label: dict(statuses[label]) for label in unanswered}


def test_admin_conforms_to_its_schema(
    loaded_home: Path,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    api_keys: Keys,
) -> None:
    """The mutating operations, on a copy of the store with a one-list mirror (the BIS
    Denied Persons List, already loaded: every update finds it unchanged)."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "us_bis_dpl").symlink_to(data_dir / "us_bis_dpl", True)
    monkeypatch.setenv("SANCTUM_MIRROR", str(mirror))
    store_copy(loaded_home, tmp_path).close()
    for running in serve(create_app(tmp_path / "copy.sqlite")):
        schema = schemathesis.openapi.from_url(running.url + "/openapi.json", timeout=30)
        found = list(schema.include(path_regex=MUTATING).get_all_operations())
        operations = [r.ok() for r in found if not isinstance(r, Err)]
        assert [o.label for o in operations] == ["POST /admin/update"]
        seen: Counter[int] = Counter()
        headers = {"Authorization": f"Bearer {api_keys.admin}"}
        # A source the mirror does not hold is a documented 503, not a server fault.
        checks = [status_code_conformance, response_schema_conformance]
        exercise(operations[0], GenerationMode.POSITIVE, running.url, headers, seen, checks)
        assert seen[200] > 0, dict(seen)

"""OpenRefine itself (Debian's `openrefine` package, which `make test` installs), run
headless on loopback, reconciles a column against `sanctum serve`'s reconciliation service
and extends it with columns, through its own HTTP commands: the batches, the form
encoding, the key in the service URL and the reading of the answers are OpenRefine's
(3.6), not a copy of them. The manifest's browser fetch (CORS, JSONP) is the page's part,
tested in test_openrefine.py."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import Keys, Running, free_port

KANG = "us-ofac-sdn-37658"
ENGINE = json.dumps({"facets": [], "mode": "row-based"})
ROWS = [
    ("강경일", "1969-09-01"),
    ("   ", ""),
    ("Kim Jong Un", ""),
    ("x" * 600, ""),
    ("Kang Kyong Il", "1969"),
    ("Gang Gyeong-il", "not a date"),
    ("Ri Yong Ho", ""),
    ("Pak Pong Ju", ""),
    ("Choe Ryong Hae", ""),
    ("Kim Yong Chol", ""),
    ("Nobody Ever Listed Zzyzx", ""),
    ("Ri Pyong Chol", ""),
]
"""Twelve cells (two of OpenRefine's batches of ten), bad ones among them."""


@dataclass
class Refine:
    """A running OpenRefine: a client for its commands and its CSRF token."""

    client: httpx.Client
    token: str

    def command(self, name: str, params: dict[str, Any], data: dict[str, str]) -> Any:
        """POST one of OpenRefine's commands (with the CSRF token) and answer its JSON."""
        r = self.client.post(
            f"/command/core/{name}", params={**params, "csrf_token": self.token}, data=data
        )
        assert r.status_code == 200, r.text
        return r.json()

    def wait(self, project: str) -> None:
        """Until the project's long-running operations are done."""
        deadline = time.monotonic() + 300
        while self.client.get("/command/core/get-processes", params={"project": project}).json()[
            "processes"
        ]:
            assert time.monotonic() < deadline, "OpenRefine's operation did not finish"
            time.sleep(0.5)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process and everything it started (its session's group): TERM, then KILL."""
    for sig, wait in ((signal.SIGTERM, 60), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            process.poll()
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


@pytest.fixture(scope="module")
def refine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Refine]:
    """OpenRefine, headless, on a free loopback port with a workspace of its own."""
    if shutil.which("openrefine") is None:
        pytest.fail("openrefine is not installed (make test installs Debian's package)")
    port = free_port()
    work = tmp_path_factory.mktemp("openrefine")
    command = ["openrefine", "-i", "127.0.0.1", "-p", str(port), "-d", str(work)]
    process = subprocess.Popen(
        [*command, "-x", "refine.headless=true", "-m", "600M"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=work,
        start_new_session=True,  # `openrefine` is a script: its java is stopped with its group
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            deadline = time.monotonic() + 300
            while True:
                assert process.poll() is None, "OpenRefine stopped"
                assert time.monotonic() < deadline, "OpenRefine did not start"
                try:
                    client.get("/command/core/get-version").raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.5)
            token = client.get("/command/core/get-csrf-token").json()["token"]
            yield Refine(client, token)
    finally:
        stop_group(process)


def new_project(refine: Refine) -> str:
    """A project of the ROWS, as OpenRefine makes one from an uploaded CSV file."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["name", "dob"])
    writer.writerows(ROWS)
    r = refine.client.post(
        "/command/core/create-project-from-upload",
        params={"csrf_token": refine.token},
        files={"project-file": ("people.csv", text.getvalue().encode(), "text/csv")},
        data={
            "project-name": "people",
            "format": "text/line-based/*sv",
            "options": json.dumps({"separator": ",", "headerLines": 1, "encoding": "UTF-8"}),
        },
        follow_redirects=False,
    )
    assert r.status_code == 302, r.text
    return str(r.headers["location"].split("project=", 1)[1])


def rows(refine: Refine, project: str) -> tuple[list[list[Any]], dict[int, Any]]:
    """The project's cells by row, and its pool of reconciliation records."""
    got = refine.command(
        "get-rows", {"project": project, "start": 0, "limit": 50}, {"engine": ENGINE}
    )
    cells = [[(c or {}).get("v") if c else None for c in row["cells"]] for row in got["rows"]]
    recons = [
        got["pool"]["recons"].get(str(row["cells"][0].get("r"))) if row["cells"][0] else None
        for row in got["rows"]
    ]
    return cells, dict(enumerate(recons))


def test_openrefine_reconciles_and_extends(api: Running, api_keys: Keys, refine: Refine) -> None:
    service = f"{api.url}/reconcile/default?api_key={api_keys.screen}"
    manifest = api.client.get("/reconcile/default").json()
    project = new_project(refine)
    config = {
        "mode": "standard-service",
        "service": service,
        "identifierSpace": manifest["identifierSpace"],
        "schemaSpace": manifest["schemaSpace"],
        "type": {"id": "Person", "name": "Person"},
        "autoMatch": True,
        "batchSize": 10,
        "columnDetails": [
            {"column": "dob", "propertyName": "birthDate", "propertyID": "birthDate"}
        ],
        "limit": 0,
    }
    done = refine.command(
        "reconcile",
        {"project": project},
        {"columnName": "name", "config": json.dumps(config), "engine": ENGINE},
    )
    assert done["code"] == "pending", done
    refine.wait(project)
    _, recons = rows(refine, project)
    judged = {n: (r or {}).get("j") for n, r in recons.items()}
    matched = {n: (r.get("m") or {}).get("id") for n, r in recons.items() if r}
    candidates = {n: [c["id"] for c in (r or {}).get("c", [])] for n, r in recons.items()}
    for n in (0, 4, 5):  # the three spellings of KANG, Kyong Il, a bad date beside one
        assert (judged[n], matched[n]) == ("matched", KANG), recons[n]
    for n in (1, 3):  # a blank cell, one over 500 characters: answered alone, empty
        assert (judged[n], candidates[n]) == ("none", []), recons[n]
    assert judged[10] == "none", recons[10]  # a name no list has: weak candidates only
    for n in (2, 9):  # Kim Jong Un, Kim Yong Chol: found (matched, or candidates to pick)
        assert matched.get(n) or candidates[n], recons[n]
    assert set(judged.values()) <= {"matched", "none"}, judged

    extension = {
        "properties": [
            {"id": "birthDate", "name": "Date of birth"},
            {"id": "program", "name": "Programs"},
        ]
    }
    done = refine.command(
        "extend-data",
        {"project": project},
        {
            "baseColumnName": "name",
            "endpoint": service,
            "identifierSpace": manifest["identifierSpace"],
            "schemaSpace": manifest["schemaSpace"],
            "extension": json.dumps(extension),
            "columnInsertIndex": "1",
            "engine": ENGINE,
        },
    )
    assert done["code"] == "pending", done
    refine.wait(project)
    models = refine.client.get("/command/core/get-models", params={"project": project}).json()
    columns = {c["name"]: c["cellIndex"] for c in models["columnModel"]["columns"]}
    assert list(columns) == ["name", "Birth date", "Sanction programs", "dob"], columns
    cells, _ = rows(refine, project)

    def row(n: int) -> list[Any]:
        return [cells[n][i] if i < len(cells[n]) else None for i in columns.values()]

    assert row(0) == ["강경일", "1969-09-01", "DPRK", "1969-09-01"], row(0)
    assert row(1)[1:3] == [None, None], row(1)


def test_openrefine_is_the_packaged_one(refine: Refine) -> None:
    version = refine.client.get("/command/core/get-version").json()
    assert version["version"].startswith("3."), version
    assert Path("/usr/share/openrefine").is_dir()

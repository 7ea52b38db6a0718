"""/docs and /redoc render in a real browser with every request off this machine blocked:
their scripts and styles come from the package, not from a CDN. The browser is Debian's
chromium (`make test` installs it), driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sanctum.api.app import create_app

from .conftest import Running, serve

CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
BADGE = "https://cdn.redoc.ly/redoc/logo-mini.svg"
"""ReDoc's "API docs by Redocly" image, built into its script: the one request off this
machine either page makes; blocked, the page renders all the same."""


@pytest.fixture()
def empty_api(tmp_path: Path) -> Iterator[Running]:
    """The API over an empty store (the docs need no list)."""
    yield from serve(create_app(tmp_path / "sanctum.sqlite"))


@pytest.mark.parametrize(
    ("path", "rendered", "text"),
    [
        ("/docs", ".swagger-ui .info .title", "Sanctum"),
        ("/docs", ".swagger-ui .opblock-summary-path", "/healthz"),
        ("/redoc", ".redoc-wrap h1", "Sanctum"),
    ],
)
def test_docs_render_offline(empty_api: Running, path: str, rendered: str, text: str) -> None:
    from playwright.sync_api import Route, sync_playwright

    assert CHROMIUM.exists(), "chromium is missing: `make test` installs it (apt-get)"
    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlparse(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route("**/*", only_loopback)
            page.goto(empty_api.url + path)
            page.wait_for_selector(rendered, timeout=60_000)
            shown = page.locator(rendered).all_inner_texts()
        finally:
            browser.close()
    assert any(text in t for t in shown), shown
    assert set(blocked) <= ({BADGE} if path == "/redoc" else set())


def test_docs_assets_are_served_and_nothing_else(empty_api: Running) -> None:
    page = empty_api.client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert "fonts.googleapis" not in empty_api.client.get("/redoc").text
    js = empty_api.client.get("/docs-assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert empty_api.client.get("/docs-assets/../../etc/passwd").status_code == 404
    assert empty_api.client.get("/docs-assets/core.py").status_code == 404

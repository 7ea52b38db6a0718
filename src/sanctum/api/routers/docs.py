"""Interactive API docs (`/docs`, Swagger UI; `/redoc`) whose scripts and styles are served
by Sanctum itself from a package (`fastapi-offline` ships them), never from a CDN: the
pages work on an offline or locked-down network. Open routes, no key."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(include_in_schema=False)

ASSETS = "/docs-assets"
"""Where the docs' scripts, styles and icon are served."""
FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
"""The files served under ASSETS (no other path is)."""


def assets_dir() -> Path:
    """The folder of the packaged docs assets."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    """Swagger UI over /openapi.json, with its assets from this server."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Sanctum API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon.png",
    )


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    """ReDoc over /openapi.json, with its script from this server and no web fonts."""
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="Sanctum API",
        redoc_js_url=f"{ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS}/favicon.png",
        with_google_fonts=False,
    )


@router.get(ASSETS + "/{name}")
async def asset(name: str) -> FileResponse:
    """One of the packaged docs assets (404 for any other name)."""
    if name not in FILES:
        raise HTTPException(404, f"no docs asset {name!r}")
    return FileResponse(assets_dir() / name, media_type=FILES[name])

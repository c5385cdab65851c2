"""Serves the PWA from frontend/ and whitelisted npm files, with caching headers that suit a PWA."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from backend.config import settings
from backend.errors import NotFound

# Third-party browser files, served from node_modules (installed from the npm registry, pinned).
VENDOR_FILES: dict[str, str] = {
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
}

# Paths handled by the app shell's client-side router.
APP_ROUTES = ("/", "/join/{code}", "/me", "/coordinator", "/coordinator/{rest:path}")

# No build step means no hashed file names: every file is revalidated (ETag), and the service
# worker's VERSION decides when the installed app moves to new files.
REVALIDATE = "no-cache"


def _file(path: Path, media_type: str | None = None) -> FileResponse:
    if not path.is_file():
        raise NotFound("No such file")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": REVALIDATE})


def _inside(base: Path, relative: str) -> Path:
    path = (base / relative).resolve()
    if base.resolve() not in path.parents:
        raise NotFound("No such file")
    return path


def install_frontend(app: FastAPI) -> None:
    frontend = settings.frontend_dir

    def app_shell() -> FileResponse:
        return _file(frontend / "index.html", "text/html")

    for route in APP_ROUTES:
        app.add_api_route(route, app_shell, methods=["GET"], include_in_schema=False)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="PUX Puls API",
            swagger_js_url="/vendor/swagger-ui-bundle.js",
            swagger_css_url="/vendor/swagger-ui.css",
            swagger_favicon_url="/icons/icon-192.png",
        )

    @app.get("/vendor/{name}", include_in_schema=False)
    def vendor(name: str) -> FileResponse:
        if name not in VENDOR_FILES:
            raise NotFound("No such file")
        return _file(settings.node_modules_dir / VENDOR_FILES[name])

    @app.get("/{path:path}", include_in_schema=False)
    def static(path: str, request: Request) -> Response:
        if path.startswith("api/"):
            raise NotFound("No such endpoint")
        return _file(_inside(frontend, path))

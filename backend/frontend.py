"""Serves the PWA from frontend/ and whitelisted npm files, with caching headers that suit a PWA."""

import hashlib
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from backend import minify
from backend.config import settings
from backend.errors import NotFound, no_route

# Third-party browser files, served from node_modules (installed from the npm registry, pinned in
# package.json + package-lock.json; never copied into the repo, never loaded from another host).
VENDOR_FILES: dict[str, str] = {
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "uqr.mjs": "uqr/dist/index.mjs",  # QR codes for invites (coordinator screen)
    # Charts of the dashboard and the team view, imported only when one of them is opened.
    "uplot.mjs": "uplot/dist/uPlot.esm.js",
    "uplot.css": "uplot/dist/uPlot.min.css",
}

# What frontend/ may serve, by suffix; anything else there (e.g. the icon render script) is not.
MEDIA_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}

# No build step means no hashed file names: every file is revalidated (ETag), and the service
# worker's VERSION decides when the installed app moves to new files.
REVALIDATE = "no-cache"


def _file(path: Path) -> FileResponse:
    media_type = MEDIA_TYPES.get(path.suffix)
    if media_type is None or not path.is_file():
        raise NotFound("No such file")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": REVALIDATE})


# Our own scripts and style sheets go out without their comments (backend/minify.py).
MINIFIED: dict[str, Callable[[str], str]] = {".js": minify.javascript, ".css": minify.css}


@lru_cache(maxsize=256)
def _minified(path: Path, mtime_ns: int, size: int) -> tuple[bytes, str]:
    """The served bytes and their ETag, computed once per version of the file."""
    body = MINIFIED[path.suffix](path.read_text()).encode()
    return body, f'"{hashlib.sha256(body).hexdigest()[:20]}"'


def _own_file(path: Path, request: Request) -> Response:
    if path.suffix not in MINIFIED or not path.is_file():
        return _file(path)
    stat = path.stat()
    body, etag = _minified(path, stat.st_mtime_ns, stat.st_size)
    headers = {"Cache-Control": REVALIDATE, "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPES[path.suffix], headers=headers)


_VERSION_LINE = re.compile(r"^const VERSION = '([^']*)';$", re.M)


def _shell_files(frontend: Path) -> list[Path]:
    return sorted(
        path
        for path in frontend.rglob("*")
        if path.is_file() and path.suffix in MEDIA_TYPES and path.name != "sw.js"
    )


@lru_cache(maxsize=8)
def _digest(frontend: Path, stamp: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in stamp:
        digest.update(name.encode())
        digest.update((frontend / name).read_bytes())
    return digest.hexdigest()[:12]


def service_worker_source(frontend: Path) -> str:
    """sw.js with its VERSION suffixed by a hash of the files it caches.

    The worker serves the shell cache-first, so a changed file must come with a changed sw.js or
    installed apps would keep the old one forever; hashing the content makes that automatic (the
    browser sees new bytes, installs the new version, the page offers the update)."""
    stamp = tuple(
        (path.relative_to(frontend).as_posix(), path.stat().st_mtime_ns, path.stat().st_size)
        for path in _shell_files(frontend)
    )
    suffix = _digest(frontend, stamp)
    source = (frontend / "sw.js").read_text()
    versioned = _VERSION_LINE.sub(
        lambda m: f"const VERSION = '{m.group(1)}+{suffix}';", source, count=1
    )
    return minify.javascript(versioned)


def _inside(base: Path, relative: str) -> Path:
    path = (base / relative).resolve()
    if base.resolve() not in path.parents:
        raise NotFound("No such file")
    return path


def install_frontend(app: FastAPI) -> None:
    frontend = settings.frontend_dir

    def app_shell() -> FileResponse:
        return _file(frontend / "index.html")

    app.add_api_route("/", app_shell, methods=["GET"], include_in_schema=False)

    @app.get("/sw.js", include_in_schema=False)
    def service_worker() -> Response:
        return Response(
            service_worker_source(frontend),
            media_type=MEDIA_TYPES[".js"],
            headers={"Cache-Control": REVALIDATE},
        )

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
            raise no_route(request)
        # A path without a file suffix is an in-app route (/join/K7QM-…, /me, /coordinator/…):
        # the client-side router renders it, so adding a screen needs no change here.
        if "." not in path.rsplit("/", 1)[-1]:
            return app_shell()
        return _own_file(_inside(frontend, path), request)

"""The PWA's own files: precache list, module preloads, translations, manifest, CSP hygiene, type
checking (no browser needed)."""

import json
import posixpath
import re
import struct
import subprocess
from pathlib import Path

import pytest

from backend.config import ROOT_DIR
from backend.frontend import MEDIA_TYPES

FRONTEND = ROOT_DIR / "frontend"
LOCALES = ("da", "en")


def _served_files() -> set[str]:
    """Every file the app serves from frontend/ (the service worker itself aside)."""
    return {
        "/" + path.relative_to(FRONTEND).as_posix()
        for path in FRONTEND.rglob("*")
        if path.is_file() and path.suffix in MEDIA_TYPES and path.name != "sw.js"
    }


def _sources() -> dict[Path, str]:
    files = [*FRONTEND.glob("js/**/*.js"), FRONTEND / "index.html"]
    return {path: path.read_text() for path in files}


def _locale(name: str) -> dict[str, str]:
    data = json.loads((FRONTEND / "locales" / f"{name}.json").read_text())
    assert isinstance(data, dict)
    return data


class TestServiceWorkerPrecache:
    def test_precache_list_is_exactly_the_files_that_exist(self) -> None:
        source = (FRONTEND / "sw.js").read_text()
        block = re.search(r"const SHELL = \[(.*?)\];", source, re.S)
        assert block, "sw.js must list its precache in `const SHELL = [...]`"
        listed = re.findall(r"'([^']+)'", block.group(1))

        assert len(listed) == len(set(listed)), "a file is listed twice"
        assert set(listed) == _served_files()

    def test_one_version_names_the_cache(self) -> None:
        source = (FRONTEND / "sw.js").read_text()
        assert len(re.findall(r"^const VERSION = '[^']+';$", source, re.M)) == 1
        assert "skipWaiting()" in source and "SKIP_WAITING" in source
        # skipWaiting only on the page's request, never unconditionally during install.
        install = source.split("addEventListener('install'", 1)[1].split("addEventListener(", 1)[0]
        assert "skipWaiting" not in install


class TestModulePreload:
    def test_the_start_screen_s_modules_are_preloaded(self) -> None:
        """No bundler: each module the first screen imports must be in index.html's preloads, or
        it is fetched only when its importer has arrived (one round trip more per level)."""
        html = (FRONTEND / "index.html").read_text()
        preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', html))
        needed: set[str] = set()
        todo = ["/js/main.js", "/js/views/today.js"]  # the app and its start screen (Today)
        while todo:
            module = todo.pop()
            if module in needed:
                continue
            needed.add(module)
            source = (FRONTEND / module.lstrip("/")).read_text()
            # Static imports only; screens behind import() load when they are opened.
            for target in re.findall(r"^import [^;]*?from '(\.{1,2}/[^']+)';", source, re.M | re.S):
                todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(module), target)))
        assert sorted(needed - preloaded) == []
        assert sorted(preloaded - needed) == [], "preloaded but not needed on the first screen"


class TestTranslations:
    def test_locales_have_the_same_keys(self) -> None:
        da, en = (_locale(name) for name in LOCALES)
        assert sorted(set(da) - set(en)) == [], "missing in en.json"
        assert sorted(set(en) - set(da)) == [], "missing in da.json"

    def test_every_key_is_used_and_every_used_key_exists(self) -> None:
        keys = set(_locale("da"))
        namespaces = {key.split(".", 1)[0] for key in keys}
        used: set[str] = set()
        for path, text in _sources().items():
            dynamic = re.findall(r"\bt\(\s*`", text)
            assert dynamic == [], f"{path.name}: keys must be literal strings (no t(`...`))"
            used |= set(re.findall(r"\bt\(\s*['\"]([^'\"]+)['\"]", text))
            used |= set(re.findall(r'data-i18n(?:-label)?="([^"]+)"', text))
            # Keys kept in tables (e.g. the rating words) are literal strings in a known namespace.
            for literal in re.findall(r"'([a-z][\w-]*\.[\w.-]+)'", text):
                if literal.split(".", 1)[0] in namespaces and not literal.endswith(".js"):
                    used.add(literal)

        assert sorted(used - keys) == [], "used in the app but missing from the locales"
        assert sorted(keys - used) == [], "in the locales but never used"

    def test_no_placeholder_is_lost_in_translation(self) -> None:
        da, en = (_locale(name) for name in LOCALES)
        for key, text in da.items():
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", en[key])), key

    def test_danish_words_of_the_method(self) -> None:
        da = _locale("da")
        assert (da["rating.calm"], da["rating.flow"], da["rating.workload"]) == (
            "Ro",
            "Flow",
            "Arbejdspres",
        )
        assert (da["rating.calm.1"], da["rating.calm.5"]) == ("Meget uroligt", "Meget roligt")
        assert (da["rating.flow.1"], da["rating.flow.5"]) == ("Meget hakkende", "Meget godt flow")
        assert (da["rating.workload.1"], da["rating.workload.5"]) == ("Meget lavt", "Meget højt")
        assert (da["today.saved"], da["today.send"]) == ("Tak — gemt", "Send")
        assert da["today.queued"] == "Du er offline — sendes, når du er online igen"

    def test_tjek_ind_is_said_as_a_verb(self) -> None:
        # "Tjek ind" names the daily rating and its screen; what a member sent is "dit svar"
        # ("Din tjek ind" is not Danish).
        shell = [(FRONTEND / name).read_text() for name in ("index.html", "manifest.webmanifest")]
        texts = [*_locale("da").values(), *shell]
        wrong = re.compile(r"\b(?:din|dit|dine|en|et|dagens|seneste)\s+tjek ind\b", re.I)
        assert [text for text in texts if wrong.search(text)] == []


class TestManifest:
    def test_installable_fields_and_icons(self) -> None:
        manifest = json.loads((FRONTEND / "manifest.webmanifest").read_text())
        assert manifest["lang"] == "da"
        assert manifest["display"] == "standalone"
        assert (manifest["start_url"], manifest["scope"]) == ("/", "/")
        assert manifest["name"] and manifest["short_name"]
        assert manifest["theme_color"] and manifest["background_color"]
        pngs = {
            (icon["sizes"], icon["purpose"]): icon["src"]
            for icon in manifest["icons"]
            if icon["type"] == "image/png"
        }
        assert set(pngs) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
        for (sizes, _), src in pngs.items():
            data = (FRONTEND / src.lstrip("/")).read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = struct.unpack(">II", data[16:24])
            assert f"{width}x{height}" == sizes, src


class TestSecurity:
    def test_html_has_no_inline_script_style_or_handler(self) -> None:
        html = (FRONTEND / "index.html").read_text()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert "<style" not in html
        assert re.findall(r"\sstyle=", html) == []
        assert re.findall(r"\son[a-z]+=", html) == []

    @pytest.mark.parametrize(
        "sink", ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"]
    )
    def test_user_text_is_never_parsed_as_html(self, sink: str) -> None:
        offenders = [path.name for path, text in _sources().items() if sink in text]
        assert offenders == []


class TestTypeChecking:
    def test_make_lint_type_checks_every_script(self) -> None:
        """Each tsconfig `make lint` runs, and the files it checks: together, all of frontend/."""
        configs = re.findall(r"tsc -p (\S+)", (ROOT_DIR / "Makefile").read_text())
        checked: dict[Path, str] = {}
        for config in configs:
            listed = subprocess.run(
                [ROOT_DIR / "node_modules" / ".bin" / "tsc", "-p", config, "--listFilesOnly"],
                cwd=ROOT_DIR, capture_output=True, text=True, check=True,
            ).stdout.splitlines()  # fmt: skip
            libs = {Path(name).name for name in listed if "/node_modules/typescript/" in name}
            for name in listed:
                if Path(name).is_relative_to(FRONTEND):
                    checked[Path(name)] = "worker" if "lib.webworker.d.ts" in libs else "page"
        scripts = {path: "page" for path in FRONTEND.rglob("*.js")}
        # The service worker has no DOM: it is checked against the WebWorker library instead.
        scripts[FRONTEND / "sw.js"] = "worker"
        assert checked == scripts

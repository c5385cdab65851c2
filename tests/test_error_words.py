"""Every error the server can name has words in the page, in both languages (issue 10 item 7):
a Danish screen never shows the server's English `detail`."""

import importlib
import json
import pkgutil
import re

import backend
from backend import errors
from backend.config import ROOT_DIR

FRONTEND = ROOT_DIR / "frontend"
# Names the server sends that are no class: FastAPI's schema check, and Starlette's own HTTP errors.
OTHER_NAMES = {"ValidationError", "HTTPError", *errors._HTTP_NAMES.values()}


def _error_classes() -> set[str]:
    for module in pkgutil.walk_packages(backend.__path__, "backend."):
        importlib.import_module(module.name)
    found: set[str] = set()
    todo = [errors.AppError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo += cls.__subclasses__()
    return found


def _words() -> dict[str, list[str]]:
    """messages.js's table: error name -> the locale keys it is worded with."""
    text = (FRONTEND / "js" / "messages.js").read_text()
    table = text[text.index("const WORDS = {") : text.index("};", text.index("const WORDS = {"))]
    return {
        name: re.findall(r"'([\w.]+)'", words)
        for name, words in re.findall(r"^\s+(\w+): (.+),$", table, re.M)
    }


class TestErrorWords:
    def test_every_error_name_has_words_in_both_languages(self) -> None:
        words = _words()
        names = _error_classes() | OTHER_NAMES
        assert "Unprocessable" in names and "WorkDateOutsideWindow" in names  # the walk found them
        assert sorted(names - set(words)) == [], "error names without words in messages.js"
        for locale in ("da", "en"):
            strings = json.loads((FRONTEND / "locales" / f"{locale}.json").read_text())
            for name, keys in words.items():
                assert keys, name
                for key in keys:
                    assert strings.get(key, "").strip(), f"{name}: {key} missing in {locale}.json"

    def test_a_coordinator_is_never_told_to_ask_the_coordinator(self) -> None:
        """Words shared by both readers, and a coordinator's own, never send anyone to "the
        coordinator"; only a member's may."""
        text = (FRONTEND / "js" / "messages.js").read_text()
        table = text[text.index("const WORDS = {") :]
        shared = re.findall(r"^\s+\w+: '([\w.]+)',$", table, re.M)
        own = re.findall(r"coordinator: '([\w.]+)'", table)
        assert shared and own
        for locale, word in (("da", "koordinator"), ("en", "coordinator")):
            strings = json.loads((FRONTEND / "locales" / f"{locale}.json").read_text())
            keys = [*shared, *own, "error.unknown_coordinator", "error.network"]
            assert [k for k in keys if word in strings[k].lower()] == [], locale

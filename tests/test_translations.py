"""The zh-hans catalogue is complete and up to date (the CI guard of docs/translating.md).

GIVEN the project's sources and locale/zh_Hans/LC_MESSAGES/django.po
WHEN makemessages collects the strings again
THEN the catalogue does not change, and every message has a translation that is
neither empty nor fuzzy (msgfmt --statistics counts only translated messages).
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import tokenize
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation.template import templatize

from core.registry import project_apps

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The same options as `make makemessages`.
IGNORE = [".venv", "tests", "bench", "examples", "staticfiles", "media", "site"]  # as MESSAGES_IGNORE in the Makefile

needs_gettext = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")


@needs_gettext
def test_every_message_is_translated_and_none_is_fuzzy():
    result = subprocess.run(  # noqa: S603 (our own catalogue)
        [shutil.which("msgfmt"), "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics
    assert int(statistics.split()[0]) > 600


@needs_gettext
def test_makemessages_would_not_change_the_catalogue(monkeypatch):
    before = PO.read_bytes()
    monkeypatch.chdir(settings.BASE_DIR)
    try:
        call_command("makemessages", locale=["zh_Hans"], no_location=True, ignore_patterns=IGNORE, verbosity=0)
        after = PO.read_bytes()
    finally:
        PO.write_bytes(before)
    assert after == before, "run `make makemessages`, translate the new strings and commit locale/"


def test_every_model_field_and_choice_is_marked_for_translation():
    project_labels = {config.label for config in project_apps(core=True)}
    assert {"core", "ledger", "parties", "risk"} <= project_labels
    unmarked = []
    for model in apps.get_models():
        if model._meta.app_label not in project_labels:
            continue
        for name in ("verbose_name", "verbose_name_plural"):
            if not isinstance(getattr(model._meta, name), Promise):
                unmarked.append(f"{model._meta.label}.Meta.{name}")
        for field in model._meta.get_fields():
            if field.auto_created or not hasattr(field, "verbose_name"):
                continue
            if not isinstance(field.verbose_name, Promise):
                unmarked.append(f"{model._meta.label}.{field.name}")
            if field.help_text and not isinstance(field.help_text, Promise):
                unmarked.append(f"{model._meta.label}.{field.name} help_text")
            unmarked += [
                f"{model._meta.label}.{field.name} choice {value}"
                for value, label in (field.flatchoices or [])
                if not isinstance(label, Promise)
            ]
    assert unmarked == []


# --- the admin theme's texts -----------------------------------------------------------

_GETTEXT_CALL = re.compile(r"\b(npgettext|ngettext|pgettext|gettext|gettext_lazy|gettext_noop|_)\(")


def _gettext_calls(source: str) -> list[tuple[str | None, str]]:
    """The (context, msgid) of each gettext call with literal arguments in ``source``."""
    found = []
    for match in _GETTEXT_CALL.finditer(source):
        args, current, depth = [], "", 1
        try:
            for token in tokenize.generate_tokens(io.StringIO(source[match.end() :]).readline):
                if token.type == tokenize.OP and token.string in "([{":
                    depth += 1
                elif token.type == tokenize.OP and token.string in ")]}":
                    depth -= 1
                    if depth == 0:
                        break
                elif depth == 1 and token.type == tokenize.STRING:
                    current += ast.literal_eval(token.string)
                elif depth == 1 and token.type == tokenize.OP and token.string == ",":
                    args.append(current)
                    current = ""
        except (tokenize.TokenError, SyntaxError):
            continue
        args.append(current)
        if match.group(1).startswith(("p", "np")):
            if len(args) >= 2 and args[0] and args[1]:
                found.append((args[0], args[1]))
        elif args[0]:
            found.append((None, args[0]))
    return found


def test_every_text_of_the_admin_theme_reads_in_chinese():
    """GIVEN django-unfold's templates and code (its contrib apps are not installed)
    WHEN each text they translate is looked up in Chinese
    THEN it has a translation: Django's catalogue, or ours (core/unfold_messages.py)."""
    import unfold

    root = Path(unfold.__file__).parent
    texts: set[tuple[str | None, str]] = set()
    for path in root.rglob("*"):
        if {"contrib", "unfold_crispy"} & set(path.parts):
            continue
        if path.suffix == ".html":
            texts.update(_gettext_calls(templatize(path.read_text(), origin=str(path))))
        elif path.suffix == ".py":
            texts.update(_gettext_calls(path.read_text()))
    assert len(texts) > 100  # the extraction found unfold's texts
    with translation.override("zh-hans"):
        untranslated = sorted(
            text for context, text in texts if (pgettext(context, text) if context else gettext(text)) == text
        )
    assert untranslated == [], "list them in core/unfold_messages.py, then `make makemessages` and translate"

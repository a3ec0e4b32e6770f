"""The zh-hans catalogue is complete and up to date (the CI guard of docs/translating.md).

GIVEN the project's sources and locale/zh_Hans/LC_MESSAGES/django.po
WHEN makemessages collects the strings again
THEN the catalogue does not change, and every message has a translation that is
neither empty nor fuzzy (msgfmt --statistics counts only translated messages).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils.functional import Promise

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The same options as `make makemessages`.
IGNORE = [".venv", "tests", "bench", "examples", "staticfiles", "media"]
PROJECT_APPS = ("ledger", "pricing", "reviews", "cases")

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
    unmarked = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
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

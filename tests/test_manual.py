"""The manual in docs/: it builds with --strict, loads nothing from other hosts, every
page is in the nav, and the configuration table names every variable the settings read."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONFIGURATION_PAGE = DOCS / "operations" / "index.md"
ENV_READERS = {"env_bool", "env_float", "env_int", "env_list", "env_str"}

# A resource the browser fetches by itself (not a link the reader follows) on another host.
REMOTE_RESOURCE = re.compile(
    r"""<(?:script|link|img|iframe|source|audio|video|embed|object)\b[^>]*\b(?:src|href|data)\s*=\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)
REMOTE_CSS = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(?:https?:)?//""", re.IGNORECASE)


def variables_read(settings_source: str) -> set[str]:
    """Names passed as the first argument to an env_* reader in a settings module."""
    names = set()
    for node in ast.walk(ast.parse(settings_source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ENV_READERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def variables_documented(markdown: str) -> set[str]:
    """Names in backticks in the first column of the page's tables."""
    names = set()
    for line in markdown.splitlines():
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 2:
            names.update(re.findall(r"`([A-Z][A-Z0-9_<>]*)`", cells[1]))
    return names


def nav_pages(nav: list) -> list[str]:
    pages = []
    for item in nav:
        if isinstance(item, str):
            pages.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                pages.extend(nav_pages(value) if isinstance(value, list) else [value])
    return pages


def test_configuration_table_names_every_variable_the_settings_read():
    read = variables_read((ROOT / "config" / "settings.py").read_text())
    documented = variables_documented(CONFIGURATION_PAGE.read_text())
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "PLATFORM_DEFAULT_RPS"} <= read
    assert read - documented == set(), f"missing from {CONFIGURATION_PAGE.relative_to(ROOT)}"


def test_a_variable_missing_from_the_table_is_found():
    settings = (
        'X = env_int("API_MAX_PAGE_SIZE", 500)\nY = env_str("LEDGER_SOMETHING_NEW")\nZ = os.environ["NOT_A_READER"]\n'
    )
    table = "| variable | default | meaning |\n|---|---|---|\n| `API_MAX_PAGE_SIZE` | `500` | Upper bound. |\n"
    text = "The text mentions `LEDGER_SOMETHING_NEW` outside the table.\n"
    assert variables_read(settings) == {"API_MAX_PAGE_SIZE", "LEDGER_SOMETHING_NEW"}
    assert variables_read(settings) - variables_documented(table + text) == {"LEDGER_SOMETHING_NEW"}


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    in_nav = nav_pages(config["nav"])
    on_disk = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(in_nav) == on_disk
    assert len(in_nav) == len(set(in_nav))


def test_the_theme_fetches_no_fonts_or_scripts_from_other_hosts():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    assert config["theme"]["font"] is False
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in config.get("plugins", [])]
    assert "offline" not in plugins  # it adds a script from unpkg.com
    assert "social" not in plugins


def test_the_manual_builds_strictly_and_loads_nothing_from_other_hosts(tmp_path):
    site = tmp_path / "site"
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    pages = list(site.rglob("*.html"))
    assert len(pages) > len(list(DOCS.rglob("*.md")))  # every page, the 404 page
    for page in pages:
        html = page.read_text()
        assert not REMOTE_RESOURCE.search(html), page
        assert "fonts.googleapis.com" not in html, page
        assert 'class="mermaid"' not in html, page  # Material would fetch Mermaid from a CDN
    for stylesheet in site.rglob("*.css"):
        assert not REMOTE_CSS.search(stylesheet.read_text()), stylesheet


def test_remote_resources_are_recognised_and_plain_links_are_not():
    assert REMOTE_RESOURCE.search('<script src="https://unpkg.com/iframe-worker/shim"></script>')
    assert REMOTE_RESOURCE.search('<link rel="stylesheet" href="//fonts.googleapis.com/css">')
    assert not REMOTE_RESOURCE.search('<a href="https://schema.org/ClaimReview">ClaimReview</a>')
    assert not REMOTE_RESOURCE.search('<script src="assets/javascripts/bundle.js"></script>')
    assert REMOTE_CSS.search("@font-face{src:url(https://fonts.gstatic.com/x.woff2)}")
    assert not REMOTE_CSS.search("@font-face{src:url(../fonts/x.woff2)}")


def test_the_readme_is_short_and_its_links_into_docs_resolve():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) < 10_000
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert "docs/operations/index.md" in links
    for link in links:
        assert (ROOT / link).is_file(), link

"""Browser fixtures: a real server over the annex data and Debian's chromium driven by Playwright.

The browser tests skip (with the reason) when Playwright or /usr/bin/chromium is missing;
`scripts/ensure_chromium.sh` installs chromium. Playwright never downloads a browser.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from browserkit import ARGS, CHROMIUM  # noqa: E402
from launcher import annex_files, serve  # noqa: E402


def _why_not() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not chromium_path():
        return "chromium is absent: run scripts/ensure_chromium.sh to install Debian's chromium"
    return None


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    """`ssm serve` over the annex data (the fixture while data/ssm.ttl is absent)."""
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    data, ontology = annex_files()
    with serve(data, ontology, ports=(8350, 8399)) as url:
        yield url


@pytest.fixture(scope="session")
def browser(site_url: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, site_url: str):
    """A fresh Spanish-speaking tab; fails the test on any script error in the page."""
    context = browser.new_context(locale="es-ES", extra_http_headers={"Accept-Language": "es"},
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("request", lambda r: _only_loopback(r.url, errors))
    yield tab
    context.close()
    assert not errors, errors


def _only_loopback(url: str, errors: list[str]) -> None:
    if url.startswith(("http://", "https://")) and not url.startswith(("http://127.0.0.1",
                                                                       "http://localhost")):
        errors.append(f"request off the machine: {url}")


"""The Sync health page in a real browser (Debian's chromium driven by Playwright), at
desktop and phone width, on a state from a real run: cards, counts, links, and the
actions behind the token. Screenshots go to the test's output directory."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mapc.runtime.health.status import api_usage
from mapc.runtime.sync.state import StateStore
from tests.serve.conftest import PORTAL, TOKEN, Served

# Budgets, so the page shows usage against an allocation; a record is parked after its
# first failure, so the page shows parked records for Retry to release.
RUN_ENV = {
    "MAPC_SALESFORCE_BUDGET": "5000",
    "MAPC_HUBSPOT_BUDGET": "20000",
    "MAPC_RETRY_LIMIT": "1",
}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _chromium() -> str | None:
    found = os.environ.get("MAPC_CHROMIUM") or shutil.which("chromium")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable, why = None, "playwright is not installed (pip install -e '.[dev]')"
    else:
        why = "chromium is not installed (apt-get install chromium)"
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {why}")
        pytest.skip(why)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: $MAPC_TEST_OUTPUT (e.g. test-output/, ignored by git) or
    the test's own temporary directory; never the repository."""
    out = Path(os.environ.get("MAPC_TEST_OUTPUT") or tmp_path) / "serve"
    out.mkdir(parents=True, exist_ok=True)
    return out


def _card(page: Any, category: str) -> Any:
    return page.locator(f"#card-{category}")


def test_sync_health_page_in_chromium(served: Served, browser: Any, shots: Path) -> None:
    state = StateStore(str(served.state), create=False)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(served.url + "/")
    page.screenshot(path=str(shots / "desktop.png"), full_page=True)

    # API usage: the recorded figure, or "unknown" when the runs did not record it.
    usage = api_usage(state)
    assert (usage["salesforce"].allocation, usage["hubspot"].allocation) == (5000, 20000)
    for side, u in usage.items():
        tile = page.locator(f'#usage .tile[data-side="{side}"]')
        assert u.measured_runs == 1 and u.calls > 0  # the run recorded its calls
        assert tile.locator(".figure").inner_text() == f"{u.calls:,} of {u.allocation:,}"
        assert tile.locator("meter").get_attribute("value") == str(u.calls)

    # Error cards by category, with their counts and records.
    assert page.locator("#open-count").inner_text() == "3"
    cards = page.locator("article.card")
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.category)")) == [
        "picklist",
        "property_value",
        "required_field",
    ]
    for category in ("picklist", "property_value", "required_field"):
        assert _card(page, category).locator("header .count").inner_text() == "1"
    evan = _card(page, "picklist").locator("li.record")
    assert evan.locator(".identity").inner_text() == "evan@example.com"
    assert "Lifecycle_Stage__c" in evan.inner_text()
    hs_id = evan.get_attribute("data-record")
    link = evan.locator("a.deep")
    assert link.inner_text() == "Open in HubSpot"
    assert link.get_attribute("href") == (
        f"https://app.hubspot.com/contacts/{PORTAL}/record/0-1/{hs_id}"
    )
    deal = _card(page, "required_field").locator("li.record")
    assert "/record/0-3/" in (deal.locator("a.deep").get_attribute("href") or "")

    # Each record failed once with a limit of one: parked, no automatic retry.
    assert page.locator("li.record .state.parked").count() == 3
    assert "after 1 failure(s) in a row" in evan.locator(".retry-state").inner_text()

    # Run history and lag.
    runs = page.locator("#runs tr.run")
    assert runs.count() == 1
    assert "completed with record errors" in runs.first.inner_text()
    assert runs.first.locator('td[data-label="Errors"]').inner_text() == "3"
    assert page.locator("#lag tr.lag").count() >= 2

    # Locked: no action buttons until the token is given; a wrong one is refused.
    assert page.locator("button.retry").count() == 0
    page.fill("#token", "not-the-token")
    page.click("form.unlock button")
    assert "not the one" in page.locator(".flash").inner_text()
    assert page.locator("button.retry").count() == 0
    page.fill("#token", TOKEN)
    page.click("form.unlock button")
    assert "unlocked" in page.locator(".flash").inner_text()
    assert page.locator("button.retry").count() == 3

    # Ignore the too-long name: its card goes, the count drops, the state agrees.
    _card(page, "property_value").locator("button.ignore").click()
    assert "1 record(s) ignored" in page.locator(".flash").inner_text()
    assert page.locator("#open-count").inner_text() == "2"
    assert _card(page, "property_value").count() == 0
    exported = json.loads(page.request.get(served.url + "/errors.json").body())
    assert {r["code"] for r in exported} == {
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "REQUIRED_FIELD_MISSING",
    }

    # Retry a whole card: its parked record is released for the next run (still open).
    _card(page, "picklist").locator("header button").click()
    assert "1 record(s) will be retried" in page.locator(".flash").inner_text()
    assert _card(page, "picklist").locator("li.record").count() == 1
    assert _card(page, "picklist").locator(".state").count() == 0
    assert _card(page, "required_field").locator(".state.parked").count() == 1
    page.screenshot(path=str(shots / "desktop-actions.png"), full_page=True)
    context.close()


def test_phone_width_has_no_horizontal_scroll(served: Served, browser: Any, shots: Path) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(served.url + "/")
    page.screenshot(path=str(shots / "phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide at {PHONE['width']}px"
    # Tables turn into labelled rows: every run's figures are on screen, none cut off.
    cell = page.locator('#runs tr.run td[data-label="Outcome"]').first
    box = cell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.locator("article.card").count() >= 1
    context.close()

"""WCAG 2.2 AA by axe-core (bundled with axe-playwright-python) on every page and state a clinician sees."""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def violations(page: Page) -> list[dict]:
    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def summary(found: list[dict]) -> str:
    """Each violation with the elements it was found on, readable in the failure message."""
    return json.dumps(
        [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in found
        ],
        indent=2,
    )


@pytest.mark.parametrize("url", ["/", "/references/", "/about/"])
def test_the_page_has_no_violations(page: Page, url: str):
    page.goto(url)

    found = violations(page)
    assert found == [], summary(found)


def test_a_result_has_no_violations(page: Page):
    page.goto("/?example=V2_adult_allo_d35_gut_gvhd_cyclosporine_grade3_symptomatic")
    expect(page.locator("#result")).to_contain_text("What to do now")

    found = violations(page)
    assert found == [], summary(found)


def test_an_error_has_no_violations(page: Page):
    page.goto("/")
    page.get_by_label("Age (years)").fill("45")
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Day after transplant").fill("10")
    page.get_by_label("Serum magnesium: unit").select_option("mmol/L")
    page.get_by_label(re.compile(r"^Serum magnesium\*?$")).fill("18")
    page.get_by_role("button", name="Assess").click()
    expect(page.locator("#result")).to_contain_text("Not assessed yet")

    found = violations(page)
    assert found == [], summary(found)

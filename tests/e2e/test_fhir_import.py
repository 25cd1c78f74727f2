"""Import from FHIR in a real browser: paste a bundle, the bedside form fills in, the provenance shows; errors are
shown in words with the pasted text kept; no axe violations; the same without JavaScript."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from assessments.ehr.fhir.samples import sample_text
from tests.e2e.test_accessibility import AXE_OPTIONS, summary

MG_VALUE = re.compile(r"^Serum magnesium\*?$")


def current(name: str) -> str:
    """The sample re-dated to now, as the import page's own sample links show it (the live server's clock runs)."""
    return sample_text(name, now=dt.datetime.now(dt.UTC))


def paste(page: Page, name: str) -> None:
    paste_text(page, current(name))


def paste_text(page: Page, text: str) -> None:
    page.goto("/import/fhir/")
    page.get_by_label("FHIR JSON").fill(text)
    page.get_by_role("button", name="Import").click()


def test_the_assessment_page_links_to_the_import(page: Page):
    page.goto("/")
    page.get_by_role("link", name="Import from FHIR").click()

    expect(page.get_by_role("heading", name="Import from FHIR")).to_be_visible()


def test_pasting_a_bundle_fills_the_form_and_shows_where_each_value_came_from(page: Page):
    paste(page, "v1_full")

    expect(page.get_by_role("heading", name="Imported from FHIR")).to_be_visible()
    # Age from the birth date (1980-07-14) on the day the test runs: the live server's clock is not frozen.
    today = dt.date.today()
    expect(page.get_by_label("Age (years)")).to_have_value(
        str(today.year - 1980 - ((today.month, today.day) < (7, 14)))
    )
    expect(page.get_by_label("Weight (kg)")).to_have_value("70")
    expect(page.get_by_label(MG_VALUE)).to_have_value("0.52")
    expect(page.get_by_label("Serum magnesium: unit")).to_have_value("mmol/L")
    provenance = page.locator("table.provenance")
    expect(provenance.get_by_role("row", name=re.compile("Serum magnesium"))).to_contain_text("Observation/mg-v1")
    expect(provenance).to_contain_text("LOINC 2601-3")
    # The transplant type and day are not in FHIR: the form asks for them instead of guessing.
    expect(page.locator("#result")).to_contain_text("Not assessed yet")


def test_completing_the_imported_form_gives_the_assessment(page: Page):
    paste(page, "v1_full")
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Day after transplant").fill("10")
    page.get_by_role("button", name="Assess").click()

    expect(page.locator("#result")).to_contain_text("CTCAE grade 1")


def test_a_stale_result_is_flagged_and_the_engine_warns(page: Page):
    paste(page, "stale_magnesium")

    expect(page.get_by_role("alert").filter(has_text="Stale result")).to_contain_text("Observation/mg-st1")
    # Pasted a few seconds after it was dated: the age is rounded up to a tenth (never younger than it is).
    expect(page.locator("table.provenance")).to_contain_text(re.compile(r"Stale: 75(\.1)? h old \(over 24 h\)"))
    expect(page.get_by_label("Hours since the Mg sample")).to_have_value(re.compile(r"^75(\.1)?$"))
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Day after transplant").fill("20")
    page.get_by_role("button", name="Assess").click()
    expect(page.locator("#result")).to_contain_text(
        re.compile(r"The Mg result is 75(\.1)? h old: repeat it before acting on this plan")
    )


def test_a_result_older_than_30_days_is_refused_naming_it(page: Page):
    paste_text(page, sample_text("stale_magnesium"))  # as filed: drawn in February 2026, months before the test runs

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Observation/mg-st1")
    taken = r"the magnesium result was taken 2026-02-\d\d \d\d:\d\d UTC, \d+ days ago"
    expect(alert).to_contain_text(re.compile(taken + "; HypoMag assesses a result at most 30 days old"))


def test_a_sample_link_shows_the_sample_dated_as_if_drawn_this_morning(page: Page):
    page.goto("/import/fhir/")
    page.get_by_text("Try a sample bundle").click()
    # Each sample named in words, not by its file name (an independent tester).
    expect(page.get_by_role("link", name="two_patients")).to_have_count(0)
    page.get_by_role("link", name="Severe: Mg 0.35 mmol/L with potassium 2.9 mmol/L").click()
    page.get_by_role("button", name="Import").click()

    expect(page.locator("table.provenance")).to_contain_text(re.compile(r"\b3(\.1)? h old"))


AWKWARD = [
    # (what, the pasted text, what the page says)
    ("a future-dated result", current("future_dated_magnesium"), "Observation/mg-fd2 has the time 9999-12-31"),
    ("an entry that is a number", '{"resourceType": "Bundle", "type": "collection", "entry": [5]}',
     "the Bundle entry entry.0 must be an object"),
    ("an R5-only resource", json.dumps({"resourceType": "Bundle", "type": "collection",
                                        "entry": [{"resource": {"resourceType": "ActorDefinition"}}]}),
     "not a FHIR R4 resource"),
    ("a null code", json.dumps({**json.loads(sample_text("amended_observation")), "code": None}),
     "Observation/mg-am1 has no code"),
    ("a key given twice", '{"resourceType": "Observation", "resourceType": "Bundle"}', "more than once"),
    ("a lone surrogate", '{"resourceType": "Observation", "id": "\\ud800"}', "lone UTF-16 surrogate"),
    ("a list", "[1, 2, 3]", "send a FHIR Bundle or a single Observation"),
    ("deep nesting", "[" * 3000 + "]" * 3000, "nested too deeply"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "text", "words"), AWKWARD, ids=[a[0] for a in AWKWARD])
def test_an_awkward_bundle_is_refused_in_words_and_the_text_is_kept(page: Page, what, text, words):
    paste_text(page, text)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The data was not imported")
    expect(alert).to_contain_text(words)
    expect(page.get_by_label("FHIR JSON")).to_have_value(text)
    expect(page.get_by_role("heading", name="Imported from FHIR")).to_have_count(0)


def test_a_mismatch_is_explained_and_the_pasted_text_is_kept(page: Page):
    text = current("mismatch_2601_3_in_mg_dl")
    paste_text(page, text)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The data was not imported")
    expect(alert).to_contain_text("Observation/mg-mm1")
    expect(page.get_by_label("FHIR JSON")).to_have_value(text)


def test_it_works_without_javascript(page_without_js: Page):
    paste(page_without_js, "mg_mass_units")

    expect(page_without_js.get_by_label(MG_VALUE)).to_have_value("1.2")
    expect(page_without_js.get_by_label("Serum magnesium: unit")).to_have_value("mg/dL")


def test_the_import_page_has_no_violations(page: Page):
    page.goto("/import/fhir/")

    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert found == [], summary(found)


def test_an_imported_result_and_an_error_have_no_violations(page: Page):
    paste(page, "stale_magnesium")
    expect(page.locator("table.provenance")).to_be_visible()
    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert found == [], summary(found)

    paste(page, "two_patients")
    expect(page.get_by_role("alert")).to_contain_text("2 different patients")
    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert found == [], summary(found)

"""Teaching mode in a real browser: predict-then-reveal, a what-if change with JavaScript on (htmx, in place) and
off (a plain POST), the facilitator's keyboard shortcut, and axe on every new page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.test_accessibility import summary, violations
from tests.e2e.test_assess_page import MG_VALUE, fill_v1

T07 = "T07_adult_tetany_grade4_foscarnet"
T01 = "T01_adult_tacrolimus_grade1_oral"


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


@pytest.fixture
def trainee_page(page: Page, trainee) -> Page:
    sign_in(page, "trainee")
    return page


@pytest.fixture
def trainee_page_without_js(page_without_js: Page, trainee) -> Page:
    sign_in(page_without_js, "trainee")
    return page_without_js


def answer_t07(page: Page) -> None:
    page.goto(f"/teaching/{T07}/")
    page.get_by_label("Grade 4").check()
    page.get_by_label("What is the leading cause?").select_option(label="Tacrolimus (renal Mg wasting)")
    page.get_by_label("Urgent IV magnesium (bolus)").check()
    page.get_by_label("What is the first monitoring step?").select_option("continuous_ecg")
    page.get_by_role("button", name="Reveal").click()


def test_predict_then_reveal(trainee_page: Page):
    page = trainee_page
    page.goto(f"/teaching/{T07}/")
    # The question first: no result on the page yet.
    expect(page.locator("#result")).to_have_count(0)

    answer_t07(page)

    expect(page.get_by_role("heading", name="Your answers: 4 of 4 right")).to_be_visible()
    expect(page.locator("[data-question='grade']")).to_contain_text("CTCAE grade 4")
    expect(page.locator("#result .action")).to_contain_text("Follow the local emergency protocol now")
    expect(page.get_by_text("Saved to your history")).to_be_visible()


def test_a_whatif_change_redraws_in_place_with_javascript(trainee_page: Page):
    page = trainee_page
    page.goto(f"/teaching/{T01}/")
    page.get_by_role("button", name="Reveal").click()
    revealed_url = page.url

    page.get_by_role("button", name="Add diarrhea (1000 mL/day)").click()

    panel = page.locator("#whatif")
    expect(panel).to_contain_text("Changed: diarrhea 0 -> 1000 mL/day")
    expect(panel.locator("tr[data-row='route']")).to_contain_text("Changed")
    expect(panel.locator("tr[data-row='route'] mark")).to_have_text("IV magnesium (infusion)")
    # htmx swapped the panel: still the case page, with the original result beside it.
    assert page.url == revealed_url
    expect(page.locator("#result .action")).to_contain_text("Oral magnesium")


def test_a_whatif_change_works_without_javascript(trainee_page_without_js: Page):
    page = trainee_page_without_js
    page.goto(f"/teaching/{T01}/")
    page.get_by_role("button", name="Reveal").click()

    page.get_by_role("button", name="Make the patient a 20 kg child").click()

    expect(page).to_have_url(re.compile(r"/whatif/$"))
    expect(page.get_by_role("heading", name="What if?")).to_be_visible()
    expect(page.locator("tr[data-row='dose']")).to_contain_text("0.2 mmol/kg")
    expect(page.locator("tr[data-row='dose']")).to_contain_text("Changed")


def test_the_bedside_result_has_a_live_whatif(page: Page):
    page.goto("/?example=V1_adult_allo_d10_tacrolimus_mucositis_grade1")
    page.get_by_role("button", name="What if…? Change one input").click()
    page.get_by_role("button", name="Swap tacrolimus for cyclosporine").click()

    expect(page.locator("#whatif")).to_contain_text("tacrolimus replaced by cyclosporine")
    expect(page.locator("tr[data-row='causes']")).to_contain_text("Cyclosporine")
    expect(page).to_have_url(re.compile(r"/\?example="))
    found = violations(page)
    assert found == [], summary(found)


def test_the_live_bedside_result_has_a_whatif_too(page: Page):
    page.goto("/")
    fill_v1(page)
    page.get_by_label(MG_VALUE).press("Tab")
    expect(page.locator("#result")).to_contain_text("CTCAE grade 1")
    # The typing's last delayed request redraws the result once more; start the what-if on the settled result.
    page.wait_for_load_state("networkidle")

    page.get_by_role("button", name="What if…? Change one input").click()
    page.get_by_role("button", name="Make the patient a 20 kg child").click()

    expect(page.locator("tr[data-row='dose']")).to_contain_text("0.2 mmol/kg")
    expect(page).to_have_url(re.compile(r"/$"))


def test_the_facilitator_steps_through_the_parts_with_the_keyboard(trainee_page: Page):
    page = trainee_page
    page.goto(f"/teaching/{T07}/present/")
    expect(page.locator("[data-part='grade']")).to_contain_text("Hidden until reveal")

    page.keyboard.press("ArrowRight")

    expect(page).to_have_url(re.compile(r"step=1"))
    expect(page.locator("[data-part='grade']")).to_contain_text("Grade 4")
    expect(page.locator("[data-part='cause']")).to_contain_text("Hidden until reveal")
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(re.compile(r"step=0"))
    # Space as a clicker or a presenter's thumb sends it; End reveals all, Home starts again.
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"step=1"))
    page.keyboard.press("End")
    expect(page.get_by_text("Everything is revealed.")).to_be_visible()
    expect(page.locator("[data-part='cause']")).not_to_contain_text("Hidden until reveal")
    page.keyboard.press("Home")
    expect(page).to_have_url(re.compile(r"step=0"))
    expect(page.locator("[data-part='grade']")).to_contain_text("Hidden until reveal")


@pytest.mark.parametrize(
    "url",
    ["/teaching/", f"/teaching/{T07}/", f"/teaching/{T07}/present/", f"/teaching/{T07}/present/?step=5", "/rules/"],
)
def test_the_teaching_pages_have_no_violations(trainee_page: Page, url: str):
    trainee_page.goto(url)

    found = violations(trainee_page)
    assert found == [], summary(found)


def test_a_revealed_case_with_a_whatif_has_no_violations(trainee_page: Page):
    page = trainee_page
    answer_t07(page)
    page.get_by_role("button", name="Halve the renal function").click()
    expect(page.locator("#whatif")).to_contain_text("Changed: serum creatinine")

    found = violations(page)
    assert found == [], summary(found)


def test_the_rules_page_is_public_and_has_no_violations(page: Page):
    page.goto("/rules/")
    expect(page.get_by_role("heading", name="How the rules work")).to_be_visible()

    found = violations(page)
    assert found == [], summary(found)

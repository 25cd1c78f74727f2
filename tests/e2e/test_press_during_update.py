"""A press while a live update is out: on a slow ward network its answer lands during the press, or after it.

An independent tester, with 150-300 ms of latency: Save pressed just after typing saved nothing (the answer replaced
the button between press and release), "Print handover" printed the result of the values before, and "What if"
opened nothing (the answer replaced its panel). static/js/bedside.js puts an answer that lands during a press in
once the press is over, and sends a press in the result made while an update is out to the same control of the new
result. The latency is the browser's own (DevTools network conditions), so every request and answer is real.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessments.models import SavedAssessment
from tests.e2e.test_assess_page import MG_VALUE, fill_v1
from tests.e2e.test_journeys import WARD_PATIENT, role_groups, type_an_assessment  # noqa: F401 (a fixture)
from tests.e2e.test_records import make_patient, sign_in

LATENCY_MS = 300
PRINTED = """(() => {
    window.__printed = [];
    window.print = () => window.__printed.push(document.querySelector("#result .action").innerText);
})();"""


def slow_network(page: Page) -> None:
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    conditions = {"offline": False, "latency": LATENCY_MS, "downloadThroughput": -1, "uploadThroughput": -1}
    session.send("Network.emulateNetworkConditions", conditions)


def assessed(page: Page, mg: str = "0.48") -> None:
    type_an_assessment(page, mg=mg)
    page.get_by_label(MG_VALUE).press("Tab")
    expect(page.locator("#result")).to_contain_text(f"Mg {mg} mmol/L")


def retype_mg(page: Page, mg: str) -> None:
    """The Mg typed again, key by key, and left focused: the next press is what leaves the field."""
    field = page.get_by_label(MG_VALUE)
    field.fill("")
    field.press_sequentially(mg)


def press_and_hold_until_the_answer_lands(page: Page, control) -> None:
    """Down on the control, held until the update the press started has been answered, then up: the answer
    landed during the press."""
    control.scroll_into_view_if_needed()
    box = control.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.mouse.down()
    page.wait_for_timeout(100)
    page.mouse.up()


@pytest.mark.django_db(transaction=True)
def test_haz49_save_pressed_as_the_answer_lands_saves_once_what_was_typed(page: Page, live_server, clinician, ward):
    make_patient(user=clinician, ward=ward, days_since_transplant=14)
    sign_in(page, live_server, clinician)
    page.goto("/")
    assessed(page)
    page.locator(".save-panel").get_by_label("Save to patient").select_option(label=WARD_PATIENT)
    slow_network(page)
    retype_mg(page, "0.41")
    press_and_hold_until_the_answer_lands(page, page.get_by_role("button", name="Save assessment"))
    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    (saved,) = SavedAssessment.objects.all()
    assert str(saved.mg_mmol_per_l) in ("0.41", "0.410")


def test_haz49_print_pressed_straight_after_typing_prints_the_result_for_what_is_typed(page: Page):
    page.add_init_script(PRINTED)
    page.goto("/")
    assessed(page, mg="0.62")
    expect(page.locator("#result .action")).to_contain_text("Oral magnesium")
    slow_network(page)
    retype_mg(page, "0.31")
    page.get_by_role("button", name="Print handover").click()
    expect(page.locator("#result")).to_contain_text("Mg 0.31 mmol/L")
    page.wait_for_function("window.__printed.length > 0")
    (printed,) = page.evaluate("window.__printed")
    assert "IV magnesium" in printed and "Oral magnesium" not in printed, printed


def test_haz49_what_if_pressed_straight_after_typing_opens_for_what_is_typed(page: Page):
    page.goto("/")
    assessed(page, mg="0.48")
    slow_network(page)
    retype_mg(page, "0.31")
    page.get_by_role("button", name="What if…? Change one input").click()
    panel = page.locator("#whatif")
    expect(panel).to_be_visible()
    expect(page.locator("#result")).to_contain_text("Mg 0.31 mmol/L")
    # Still open once every answer is in: no late result replaced it.
    page.wait_for_timeout(2 * LATENCY_MS)
    expect(panel).to_be_visible()


def test_a_section_pressed_as_the_answer_lands_opens(page: Page):
    page.goto("/")
    page.get_by_label("Age (years)").fill("45")
    page.get_by_label("Sex").select_option("female")
    expect(page.locator("#id_transplant_day_error")).to_contain_text("Required")
    slow_network(page)
    page.get_by_label("Day after transplant").press_sequentially("10")
    press_and_hold_until_the_answer_lands(page, page.locator("#section-gi > summary"))
    expect(page.locator("#section-gi")).to_have_attribute("open", "")
    expect(page.locator("#id_transplant_day_error")).to_be_empty()
    expect(page.locator("[id=result]")).to_have_count(1)


@pytest.mark.parametrize("slow_from_the_start", [True, False])
def test_what_if_opened_as_soon_as_the_result_shows_stays_open(page: Page, slow_from_the_start: bool):
    # Leaving the Mg field with Tab set off a second update half a second later, with the same values; its answer
    # replaced the result and the What if panel opened on it in the meantime. It is no longer sent.
    page.goto("/")
    if slow_from_the_start:
        slow_network(page)
    fill_v1(page)
    page.get_by_label(MG_VALUE).press("Tab")
    expect(page.locator("#result")).to_contain_text("CTCAE grade 1")
    if not slow_from_the_start:
        slow_network(page)
    page.get_by_role("button", name="What if…? Change one input").click()
    page.get_by_role("button", name="Make the patient a 20 kg child").click()
    expect(page.locator("tr[data-row='dose']")).to_contain_text("0.2 mmol/kg")

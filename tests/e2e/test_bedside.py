"""The bedside page at 3 a.m. (issue 14), in Chromium at the three screens it is used on: a ward PC (1366x768), a
tablet (768x1024) and a phone (390x844).

What a tired clinician needs: the Mg field first, few controls, "What to do now" first in the result and inside its
first screen for every golden case (emergencies too) in at most 150 words, the result in view while typing, numbers
read as typed ("12,5" is 12.5), no machine word on any page for any role, a handover that prints whole on one
side, and every part without JavaScript. Words are counted, and positions measured, as Chromium renders them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments import services
from assessments.roles import Role
from assessments.selectors import demo_case_list
from tests.builders import payload
from tests.e2e.test_accessibility import summary, violations
from tests.e2e.test_records import sign_in

SIZES = {"ward PC": (1366, 768), "tablet": (768, 1024), "phone": (390, 844)}
CASES = [case.name for case in demo_case_list()]
V8 = "V8_adult_allo_d12_torsades_qtc520_grade2_emergency"
MG_VALUE = re.compile(r"^Serum magnesium\*?$")
# A machine id on screen (issue 14 found `patient.sex`, `immunosuppressants.0.drug`, `azole_antifungal`, `iv`,
# `umol/L`, "mgdl boundary 1 2 is grade1"): snake_case words, contract paths, and the engine's ASCII spellings.
MACHINE_WORD = re.compile(
    r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"
    r"|\b(?:patient|transplant|labs|gi|nutrition|ecg|magnesium_therapy|site|immunosuppressants|medications"
    r"|conditions|symptoms)\.(?!py\b)[a-z0-9_]+(?:\.[a-z0-9_]+)*"
    r"|\biv\b|\bumol/L\b|\bug/L\b|\bmgdl\b|\bgrade\d"
)
# Addresses are not words: a source's URL may hold anything.
ADDRESS = re.compile(r"\b(?:https?://|www\.|doi\.org/)\S+|\b\S+\.(?:org|com|net|gov|int|edu|uk|ie|au|ca)(?:/\S*)?")

VISIBLE_CONTROLS = """(selector) => [...document.querySelectorAll(selector)]
    .filter(e => e.type !== 'hidden' && e.checkVisibility({visibilityProperty: true})).length"""
# The words of the result up to the end of "What to do now", as rendered (innerText skips what is not shown).
WORDS_TO_ACTION_END = """() => {
    const result = document.getElementById('result');
    const action = result.querySelector('.action');
    let text = '';
    for (const child of result.children) {
        text += ' ' + child.innerText;
        if (child === action) break;
    }
    return text.split(/\\s+/).filter(Boolean).length;
}"""
FIRST_SHOWN_IN_RESULT = """() => {
    const result = document.getElementById('result');
    const first = [...result.children].find(e => e.checkVisibility() && e.innerText.trim());
    return first ? first.className : '';
}"""


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, vh: innerHeight}; }"
    )


def in_viewport(page: Page, selector: str) -> bool:
    b = box(page, selector)
    return b["top"] >= -1 and b["bottom"] <= b["vh"] + 1  # a pixel's rounding either way


def type_a_child_with_a_comma(page: Page) -> None:
    """A 3-year-old, Mg "0,3" and weight "12,5", typed key by key as a ward PC's keyboard sends them."""
    page.get_by_label(MG_VALUE).press_sequentially("0,3")
    page.get_by_label("Age (years)").press_sequentially("3")
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Day after transplant").press_sequentially("21")
    page.get_by_label("Weight (kg)").press_sequentially("12,5")
    page.get_by_label("Weight (kg)").press("Tab")


# --- The form, Mg first -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_the_mg_field_is_in_the_first_screen(page: Page, size: str):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    page.goto("/")

    assert in_viewport(page, "#id_magnesium_value")
    assert in_viewport(page, "#id_magnesium_unit")
    if size == "ward PC":
        # On a ward PC the four required values are all in the first screen.
        for field in ("#id_age_years", "#id_transplant_type", "#id_transplant_day"):
            assert in_viewport(page, field), field


@pytest.mark.parametrize("size", SIZES)
def test_at_most_30_controls_are_visible_on_first_load(page: Page, size: str):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    page.goto("/")

    count = page.evaluate(VISIBLE_CONTROLS, "main :is(input, select, textarea, button, summary, a[href])")
    assert count <= 30, count
    # A section opens to its fields; its count says what it holds, before and after typing.
    section = page.locator("#section-gi")
    expect(section.locator("summary")).to_contain_text("nothing entered")
    section.locator("summary").click()
    page.get_by_label("Diarrhea (mL/day)").fill("600")
    expect(section.locator("summary")).to_contain_text("1 entered")


def test_a_drug_is_found_by_typing(page: Page):
    page.goto("/")
    page.locator("#section-drugs > summary").click()

    page.get_by_label("Find a drug").fill("omepra")

    ppi = page.get_by_role("checkbox", name="Proton pump inhibitor (PPI)")
    expect(ppi).to_be_visible()
    expect(page.get_by_role("checkbox", name="Foscarnet")).to_be_hidden()
    ppi.check()
    # A cause drug asks for its days once ticked.
    expect(page.get_by_label("Proton pump inhibitor (PPI): days taken")).to_be_visible()
    page.get_by_label("Find a drug").fill("")
    expect(page.get_by_role("checkbox", name="Foscarnet")).to_be_hidden()  # its group stays closed
    expect(page.locator("#section-drugs > summary")).to_contain_text("1 entered")


# --- The result, action first -------------------------------------------------------------------------------------


def test_haz41_what_to_do_now_is_first_and_in_the_first_screen_of_the_result_for_every_golden_case(page: Page):
    """Each case is opened once and looked at on each screen in turn, the widest first (one load a case instead of
    three: the three tests this replaces spent 30 s of `make test` loading the same pages)."""
    too_long, out_of_view = {}, {}
    for case in CASES:
        page.set_viewport_size({"width": SIZES["ward PC"][0], "height": SIZES["ward PC"][1]})
        page.goto(f"/?example={case}")
        expect(page.locator("#result .action")).to_be_visible()
        assert page.evaluate(FIRST_SHOWN_IN_RESULT).startswith("action "), case
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            if size != "ward PC":
                # Below the form on a tablet or phone: "Full result" brings it up (a smooth scroll: wait for it).
                page.evaluate("window.scrollTo(0, 0)")
                page.locator(".summary-link").click()
                expect(page.locator("#result .action-title")).to_be_in_viewport()
            b = box(page, "#result .action")
            if not (b["top"] >= -1 and b["bottom"] <= b["vh"]):  # a pixel's rounding either way
                out_of_view[f"{case} at {size}"] = b
        words = page.evaluate(WORDS_TO_ACTION_END)
        if words > 150:
            too_long[case] = words
    assert out_of_view == {}
    assert too_long == {}


def test_haz47_each_severity_has_its_own_word_mark_and_colour(page: Page):
    seen = {}
    for case, level in (
        (V8, "Emergency"),
        ("V2_adult_allo_d35_gut_gvhd_cyclosporine_grade3_symptomatic", "Severe"),
        ("V7_adult_allo_d28_aki_cyclosporine_high_liposomal_amb_grade2_renal", "Moderate"),
        ("V1_adult_allo_d10_tacrolimus_mucositis_grade1", "Mild"),
        ("P13_grade0_normal_no_replacement", "Not low"),
    ):
        page.goto(f"/?example={case}")
        badge = page.locator("#result .action .sev-badge")
        expect(badge).to_have_text(re.compile(rf"{level}$", re.I))
        seen[level] = badge.evaluate(
            "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e.querySelector('.sev-mark'), '::before')"
            ".content, getComputedStyle(e).borderStyle]"
        )
    backgrounds = [style[0] for style in seen.values()]
    marks = [style[1] for style in seen.values()]
    # Each level its own colour and its own mark, so that neither colour nor the word alone carries it.
    assert len(set(backgrounds)) == len(seen), seen
    assert len(set(marks)) == len(seen), seen


def test_haz40_a_comma_decimal_typed_with_the_keyboard_is_read_as_12_5_and_dosed_on_12_5_kg(page: Page):
    page.goto("/")
    type_a_child_with_a_comma(page)

    action = page.locator("#result .action")
    expect(action.locator(".dose-weight")).to_have_text("12.5 kg")
    # What was typed stays as typed; the dose is 0.2 mmol/kg x 12.5 kg, not x 125 kg.
    expect(page.get_by_label("Weight (kg)")).to_have_value("12,5")
    expect(action).to_contain_text("2.5 mmol")
    expect(page.locator("#result .inputs-used")).to_contain_text("12.5")


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_haz41_the_summary_stays_in_view_while_typing_on_a_tablet_or_phone(page: Page, size: str):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/?example={V8}")
    summary_bar = page.locator("#result-summary")
    expect(summary_bar).to_contain_text("Emergency")

    # Far down the form: the GI section's diarrhea field, typed into.
    page.locator("#section-gi > summary").click()
    field = page.get_by_label("Diarrhea (mL/day)")
    field.scroll_into_view_if_needed()
    field.press_sequentially("300")
    field.press("Tab")

    assert in_viewport(page, "#result-summary")
    expect(summary_bar).to_contain_text("Urgent IV magnesium (bolus)")
    assert in_viewport(page, "#result-summary")
    # The full result is a tap away.
    summary_bar.get_by_role("link", name="Full result").click()
    expect(page.locator("#result .action")).to_be_in_viewport()


def test_haz41_the_result_stays_in_view_while_the_form_scrolls_on_a_ward_pc(page: Page):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/?example={V8}")

    page.locator("#section-gi > summary").click()
    page.get_by_label("Oral intake").scroll_into_view_if_needed()
    page.mouse.wheel(0, 600)

    assert page.evaluate("scrollY") > 300
    expect(page.locator("#result .action-title")).to_be_in_viewport()
    assert in_viewport(page, "#result .action")


# --- The site laboratory's unit -----------------------------------------------------------------------------------


def test_another_unit_is_a_deliberate_choice_and_shows_the_other_readings(page: Page, settings):
    settings.HYPOMAG_SITE_MG_UNIT = "mmol/L"
    page.goto("/")
    expect(page.locator(".site-unit")).to_have_text("mmol/L")
    expect(page.get_by_label(re.compile("^Serum magnesium: unit"))).to_be_hidden()

    page.get_by_text("The lab reported another unit").click()
    page.get_by_label(re.compile("^Serum magnesium: unit")).select_option("mg/dL")
    expect(page.locator(".site-unit")).to_have_text("mg/dL")
    page.get_by_label(MG_VALUE).fill("1.1")
    page.get_by_label("Age (years)").fill("45")
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Day after transplant").fill("10")
    page.get_by_label("Day after transplant").press("Tab")

    readings = page.locator("#mg-unit-check .unit-readings")
    expect(readings).to_contain_text("mEq/L")
    # 1.1 read as mmol/L is above the upper limit; as mEq/L, 0.55 mmol/L, grade 1.
    expect(readings.locator("tbody tr").nth(1)).to_contain_text("mmol/L1.1 mmol/Labove the upper limit")
    expect(readings.locator("tbody tr").nth(2)).to_contain_text("CTCAE grade 1: oral replacement")
    expect(page.locator("#result .action")).to_contain_text("Your laboratory reports Mg in mmol/L")


# --- Print -----------------------------------------------------------------------------------------------------------


def test_haz43_the_printed_handover_has_every_part_in_9_pt_or_more(page: Page):
    page.goto(f"/?example={V8}")
    page.emulate_media(media="print")

    result = page.locator("#result")
    expect(page.locator("form.assessment-form")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Site")).to_be_hidden()
    expect(result.locator(".handover-title")).to_have_text("HypoMag handover: low magnesium")
    expect(result.locator(".handover-patient")).to_contain_text("Hospital number:")
    expect(result.locator(".action")).to_contain_text("400 mL/h")
    expect(result.locator(".inputs-used")).to_contain_text("Serum magnesium")
    # On paper the clock time; "in 9 h 15 min" (on screen) would go stale on the sheet.
    expect(result.locator(".result-reminders")).to_contain_text(re.compile(r"\d{2}:\d{2} \(in 9 h 15 min\)"))
    expect(result.locator(".result-reminders .recheck-when").first).to_be_hidden()
    expect(result.locator(".action .recheck-when")).to_be_hidden()
    expect(result.locator(".action .recheck-time")).to_be_visible()
    expect(result.locator(".result-meta")).to_contain_text("rule set 2026.2")
    expect(result.locator(".handover-sign")).to_contain_text("Checked by:")
    expect(result.locator(".handover-sign")).to_contain_text("Signature:")
    # Nothing on the sheet under 9 pt (12 px).
    smallest = result.evaluate(
        """r => Math.min(...[...r.querySelectorAll('*')]
            .filter(e => e.checkVisibility() && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= 12, smallest
    expect(page.locator("[data-print]")).to_be_hidden()
    expect(page.locator("[data-no-script]")).to_be_hidden()


def test_the_print_button_prints(page: Page):
    page.goto(f"/?example={V8}")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")

    page.get_by_role("button", name="Print handover").click()

    assert page.evaluate("window.__printed") == 1


# --- Without JavaScript -------------------------------------------------------------------------------------------


def test_every_part_works_without_javascript(page_without_js: Page):
    page = page_without_js
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")

    # The sections open by a click; the drug groups too; the search (a script) is not offered.
    page.locator("#section-drugs > summary").click()
    expect(page.get_by_label("Find a drug")).to_be_hidden()
    page.locator("summary", has_text="Stomach, nausea and pain").click()
    page.get_by_role("checkbox", name="Proton pump inhibitor (PPI)").check()
    page.get_by_label("Proton pump inhibitor (PPI): days taken").fill("120")
    page.get_by_label(MG_VALUE).fill("0,45")
    page.get_by_label("Age (years)").fill("60")
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Day after transplant").fill("40")
    page.get_by_role("button", name="Assess").click()

    expect(page.locator("#result .action")).to_contain_text("IV magnesium (infusion)")
    expect(page.get_by_label(MG_VALUE)).to_have_value("0,45")
    expect(page.locator("#section-drugs > summary")).to_contain_text("2 entered")
    # The summary is there for a phone, and its link reaches the result.
    expect(page.locator("#result-summary")).to_contain_text("Moderate")
    page.locator(".summary-link").click()
    expect(page.locator("#result .action")).to_be_in_viewport()
    # A missing input's link opens its section and reaches the field.
    page.locator(".missing-inputs a", has_text="QTc").click()
    expect(page.get_by_label("QTc (ms)")).to_be_visible()
    # Printing is the browser's own; the page says how, and offers no button that would do nothing.
    expect(page.locator(".result-tools")).to_contain_text("Ctrl+P")
    expect(page.get_by_role("button", name="Print handover")).to_be_hidden()


# --- Every page, every role ---------------------------------------------------------------------------------------


@pytest.fixture
def every_page(db, make_user, ward, clinician, pharmacist, trainee, admin, outsider):
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    patient = services.patient_create(
        user=clinician,
        hospital_id="H0001",
        label="AB bed 3",
        transplant_type="allogeneic",
        # The day of tests.builders' input (30), so that the record agrees with it.
        transplant_date=timezone.localdate() - dt.timedelta(days=payload()["transplant"]["day"]),
        ward=ward,
    )
    saved = services.assessment_save(user=clinician, patient=patient, data=payload(), sample_time=timezone.now())
    case = "T01_adult_tacrolimus_grade1_oral"
    common = [
        "/",
        f"/?example={V8}",
        "/?example=V4_child_cord_d21_seizure_foscarnet_high_tacrolimus_grade4",
        "/?example=P15_c1_mmol_1_45_is_low_in_mgdl_confirm_unit",
        reverse("references"),
        reverse("about"),
        reverse("rules"),
        reverse("fhir-import"),
        "/no-such-page/",
    ]
    staff = [
        reverse("patient-list"),
        reverse("patient-create"),
        reverse("patient-detail", args=[patient.pk]),
        reverse("assessment-detail", args=[saved.pk]),
        reverse("assessment-reassess", args=[saved.pk]),
        reverse("ward"),
        f"/?patient={patient.pk}",
        f"/?from={saved.pk}",
    ]
    teaching = [
        reverse("teaching-list"),
        reverse("teaching-history"),
        reverse("teaching-case", args=[case]),
        reverse("teaching-present", args=[case]),
    ]
    return {
        None: [*common, reverse("login"), reverse("patient-list")],
        outsider: [*common, reverse("patient-list"), reverse("teaching-list")],
        trainee: [*common, *teaching, reverse("patient-list")],
        clinician: [*common, *staff, *teaching],
        pharmacist: [*common, *staff, *teaching, reverse("review-queue"), reverse("review-case", args=[saved.pk])],
        admin: [*common, reverse("audit-log"), "/admin/", "/admin/assessments/patient/", "/admin/auth/user/"],
    }


ROLES = ["anonymous", "outsider", "trainee", "clinician", "pharmacist", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_haz42_no_machine_id_in_the_visible_text_of_any_page_for_any_role(chromium, live_server, every_page, role):
    """Each page is opened once and looked at as each screen shows it: at a phone's and a tablet's width nothing runs
    past the right edge, and at every size no machine word is in the visible text. (One visit a page for all three,
    one role a test: the three crawls they replace took a minute of the ten `make test` has.)"""
    user = next((u for u in every_page if (u.get_username() if u else "anonymous") == role), "missing")
    assert user != "missing", f"no user {role} in every_page"
    context = chromium.new_context(base_url=live_server.url)
    tab = context.new_page()
    if user is not None:
        sign_in(tab, live_server, user)
    found, wide = {}, {}
    for url in every_page[user]:
        tab.set_viewport_size(dict(zip(("width", "height"), SIZES["phone"], strict=True)))
        tab.goto(url)
        # Opened as a person opens them: "Load an example" ran past the edge at 768 px only when opened.
        tab.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        for size in ("phone", "tablet", "ward PC"):
            width, height = SIZES[size]
            tab.set_viewport_size({"width": width, "height": height})
            scroll, text = tab.evaluate("[document.documentElement.scrollWidth, document.body.innerText]")
            # An independent tester found /teaching/'s filter row cut off at 768 px (its Clear button out of reach).
            # Django's admin lays itself out (a changelist table scrolls in its own box).
            if size != "ward PC" and scroll > width and not (user is not None and user.is_superuser):
                wide[f"{url} at {size}"] = scroll
            words = sorted(set(MACHINE_WORD.findall(ADDRESS.sub(" ", text))))
            if words:
                found[f"{url} at {size}"] = words
    context.close()
    assert found == {}
    assert wide == {}


# --- Accessibility at each size -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_the_result_at_each_size_has_no_violations(page: Page, size: str):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/?example={V8}")
    page.locator("#section-symptoms > summary").click()
    page.locator("#section-drugs > summary").click()
    page.locator("#result .action details.why summary").first.click()

    found = violations(page)
    assert found == [], summary(found)


def test_the_site_unit_and_its_check_have_no_violations(page: Page, settings):
    settings.HYPOMAG_SITE_MG_UNIT = "mmol/L"
    page.goto("/?example=V8_adult_allo_d12_torsades_qtc520_grade2_emergency")
    # V8's Mg is in mg/dL: not the site's unit, so the "another unit" panel is open, and the check is beside it.
    expect(page.locator("details.other-unit")).to_have_attribute("open", "")
    expect(page.locator("#mg-unit-check .unit-readings")).to_be_visible()

    found = violations(page)
    assert found == [], summary(found)


# --- A journey with awkward data --------------------------------------------------------------------------------------


def test_a_clinician_types_a_comma_signs_in_halfway_and_a_double_click_saves_once(page: Page, clinician, make_patient):
    from assessments.models import SavedAssessment
    from tests.conftest import PASSWORD

    # The record agrees with what is typed (day 21), so that Save saves (a disagreement is the records' journey).
    patient = make_patient(transplant_date=timezone.localdate() - dt.timedelta(days=21))

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    clinician.groups.add(Group.objects.get(name=Role.CLINICIAN.value))
    page.goto("/")
    # No QTc, a comma decimal, a child: typed as at the bedside, signed out.
    type_a_child_with_a_comma(page)
    expect(page.locator("#result .missing-inputs")).to_contain_text("QTc (ms)")

    page.get_by_role("button", name="Sign in to save it to a patient record").click()
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()

    # Back on the bedside page with everything as typed, assessed again, and the save panel.
    expect(page.get_by_label("Weight (kg)")).to_have_value("12,5")
    expect(page.locator("#result .dose-weight")).to_have_text("12.5 kg")
    page.get_by_label("Save to patient").select_option(str(patient.pk))
    page.get_by_role("button", name="Save assessment").dblclick()

    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    assert SavedAssessment.objects.filter(patient=patient).count() == 1
    assert SavedAssessment.objects.get(patient=patient).input["patient"]["weight_kg"] == 12.5


def test_a_live_update_puts_each_message_at_its_field_and_takes_it_away_when_fixed(page: Page):
    page.goto(f"/?example={V8}")
    weight = page.get_by_label("Weight (kg)")
    weight.fill("1,234")
    weight.press("Tab")

    message = page.locator("#id_weight_kg_error")
    expect(message).to_have_text(
        "Is “1,234” 1.234 or 1234? Type it with a decimal point (1.234) or without the comma (1234)."
    )
    expect(weight).to_have_attribute("aria-invalid", "true")
    expect(weight).to_have_attribute("aria-describedby", re.compile(r"\bid_weight_kg_error\b"))
    expect(page.locator("#result")).to_contain_text("Not assessed yet")
    # A field in a closed section opens it when it has a message.
    page.locator("#section-symptoms > summary").click()
    page.get_by_label("QTc (ms)").fill("5OO")
    page.get_by_label("QTc (ms)").press("Tab")
    expect(page.locator("#id_qtc_ms_error")).to_contain_text("is not a number")

    weight.fill("60")
    page.get_by_label("QTc (ms)").fill("500")
    page.get_by_label("QTc (ms)").press("Tab")
    expect(message).to_be_empty()
    expect(weight).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#result .action")).to_be_visible()


def test_finding_a_drug_asks_the_server_nothing(page: Page):
    page.goto("/")
    page.locator("#section-drugs > summary").click()
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    page.get_by_label("Find a drug").press_sequentially("cipro")
    page.wait_for_timeout(800)  # past the form's 500 ms keyup delay

    assert posts == []
    expect(page.get_by_role("checkbox", name=re.compile("^Fluoroquinolone"))).to_be_visible()

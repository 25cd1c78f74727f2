"""Patient records in a real browser (issue 4): signing in and out, saving an assessment to a patient with
JavaScript on and off, the point on the timeline, the pharmacist's review as the clinician sees it, a reminder that
becomes overdue as time passes, what a trainee cannot open, and axe on every new page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from assessments import services
from assessments.models import Patient, SavedAssessment, Ward
from assessments.roles import Role
from assessments.selectors import demo_case_get
from tests.builders import transplant_of
from tests.conftest import PASSWORD
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_accessibility import summary, violations

V1 = "V1_adult_allo_d10_tacrolimus_mucositis_grade1"
# V1's first reminders (the Mg recheck 6 h after the infusion, the potassium recheck) are due 10 h after saving.
FIRST_REMINDER_HOURS = 10
FIRST_REMINDER = "Recheck Mg 6 h after the end of the infusion."
# The label reads "Serum magnesium*"; its unit selector's label, "Serum magnesium: unit", must not match.
MG_VALUE = re.compile(r"^Serum magnesium\*?$")


# --- Data -----------------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def role_groups(db) -> None:
    """The role groups come from migration 0002, but a transactional test's flush deletes them for the next test
    (Django's TransactionTestCase without serialized_rollback): make them again."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def make_patient(*, user: User, ward: Ward, days_since_transplant: int = 10, label: str = "AB bed 1") -> Patient:
    return services.patient_create(
        user=user,
        hospital_id=f"H-{label}",
        label=label,
        transplant_type="allogeneic",
        transplant_date=timezone.localdate() - dt.timedelta(days=days_since_transplant),
        ward=ward,
    )


def save_v1(*, user: User, patient: Patient, sample_time: dt.datetime | None = None):
    """Golden case V1 saved to the patient through the service, as the save view does (its transplant day as the
    record counts it for the sample time)."""
    sample_time = sample_time or timezone.now()
    data = {**demo_case_get(name=V1).input, "transplant": transplant_of(patient, sample_time)}
    return services.assessment_save(user=user, patient=patient, data=data, sample_time=sample_time)


# --- Browser helpers ------------------------------------------------------------------------------------------------


def sign_in(page: Page, live_server, user: User) -> None:
    """Skip the login form: a session made by the test client, handed to the browser as its cookie."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


@contextmanager
def second_browser(chromium: Browser, live_server) -> Iterator[Page]:
    """Another person at another PC: a separate browser context, with its own cookies."""
    context: BrowserContext = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def create_patient_through_form(page: Page, *, ward: Ward, hospital_id: str, label: str) -> int:
    """Fill /patients/new/ by label (transplant 10 days ago) and return the new patient's id from the URL."""
    page.goto("/patients/new/")
    page.get_by_label("Hospital identifier").fill(hospital_id)
    page.get_by_label("Display label").fill(label)
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Transplant date (day 0)").fill((timezone.localdate() - dt.timedelta(days=10)).isoformat())
    page.get_by_label("Ward").select_option(label=ward.name)
    page.get_by_role("button", name="Create patient").click()

    expect(page).to_have_url(re.compile(r"/patients/\d+/$"))
    expect(page.locator(".messages")).to_contain_text(f"Patient {label} created.")
    return int(re.search(r"/patients/(\d+)/$", page.url).group(1))


def expect_point_on_timeline(page: Page, *, day: int, mg: str) -> None:
    """The saved assessment drawn on the SVG timeline and listed in the table under it."""
    point = page.locator(".timeline svg g.tl-point")
    expect(point).to_have_count(1)
    # Each point's <title> (its tooltip and accessible name) says the day, the Mg and the grade.
    expect(point).to_contain_text(f"Day {day}: {mg} mmol/L, grade 1")
    data_row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=str(day), exact=True))
    expect(data_row.first).to_contain_text(mg)


def saved_assessments_row(page: Page, *, day: int):
    """The row of one saved assessment in the patient page's "Saved assessments" table (by transplant day)."""
    table = page.get_by_role("table", name="Newest first; each shows what was recommended at the time")
    return table.get_by_role("row").filter(has=page.get_by_role("cell", name=str(day), exact=True))


# --- Signing in and out ---------------------------------------------------------------------------------------------


def test_a_clinician_signs_in_and_out(page: Page, live_server, clinician, ward):
    patient = make_patient(user=clinician, ward=ward)
    page.goto("/accounts/login/")

    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    banner = page.locator(".signed-in")
    expect(banner).to_contain_text("Signed in as clinician")
    expect(page.get_by_role("navigation", name="Site").get_by_role("link", name="Patients")).to_be_visible()

    # One click on a shared PC ends the session: no confirmation page in between.
    banner.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(banner).to_contain_text("Sign in")

    page.goto(f"/patients/{patient.pk}/")
    expect(page).to_have_url(re.compile(rf"/accounts/login/\?next=/patients/{patient.pk}/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


# --- Saving an assessment to a patient ------------------------------------------------------------------------------


def test_a_clinician_saves_an_assessment_and_sees_it_on_the_timeline(page: Page, live_server, clinician, ward):
    sign_in(page, live_server, clinician)
    patient_id = create_patient_through_form(page, ward=ward, hospital_id="H-1001", label="CD bed 2")

    page.goto(f"/?example={V1}&patient={patient_id}")
    result = page.locator("#result")
    expect(result.locator(".action .sev-badge")).to_have_text(re.compile("mild", re.I))
    # A new Mg typed in: the live result (htmx) replaces the panel, which must keep the patient chosen.
    page.get_by_label(MG_VALUE).fill("0.55")
    page.get_by_label(MG_VALUE).press("Tab")
    expect(result).to_contain_text("Mg 0.55 mmol/L")
    panel = result.locator(".save-panel")
    expect(panel.get_by_label("Save to patient")).to_have_value(str(patient_id))
    # The sample time is left empty: it means now, i.e. day 10 for a transplant 10 days ago.
    expect(panel.get_by_label("Sample time")).to_have_value("")
    with page.expect_response(lambda response: response.url.endswith("/assessments/save/")) as saving:
        panel.get_by_role("button", name="Save assessment").click()

    # htmx posted the save and was answered with HX-Redirect; the browser follows it to the saved record.
    assert saving.value.status == 204
    assert re.fullmatch(r"/assessments/\d+/", saving.value.headers["hx-redirect"])
    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    # The record names the patient by label and hospital identifier (wrong-patient check, HAZ15).
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Saved assessment: CD bed 2 \([^)]+\), day 10")
    )
    expect(page.locator(".messages")).to_contain_text("Assessment saved to CD bed 2; it awaits pharmacist review.")
    expect(page.get_by_text("Awaiting pharmacist review")).to_be_visible()

    page.goto(f"/patients/{patient_id}/")
    expect_point_on_timeline(page, day=10, mg="0.55")


def test_a_clinician_saves_an_assessment_without_javascript(page_without_js: Page, live_server, clinician, ward):
    page = page_without_js
    sign_in(page, live_server, clinician)
    patient_id = create_patient_through_form(page, ward=ward, hospital_id="H-1002", label="EF bed 3")

    page.goto(f"/?example={V1}&patient={patient_id}")
    page.get_by_role("button", name="Assess", exact=True).click()
    result = page.locator("#result")
    expect(result.locator(".action .sev-badge")).to_have_text(re.compile("mild", re.I))
    # The plain POST kept the chosen patient in the panel.
    expect(result.get_by_label("Save to patient")).to_have_value(str(patient_id))
    sample = (timezone.localtime() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    result.get_by_label("Sample time").fill(sample.strftime("%Y-%m-%dT%H:%M"))
    result.get_by_role("button", name="Save assessment").click()

    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Saved assessment: EF bed 3")
    # The sample time entered is the one kept.
    expect(page.get_by_text(f"Sample {sample:%Y-%m-%d %H:%M}")).to_be_visible()

    # Day 10, or 9 when an hour ago was yesterday: counted from the sample time, not from the form's day field.
    day = (sample.date() - Patient.objects.get(pk=patient_id).transplant_date).days
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"day {day}")
    page.goto(f"/patients/{patient_id}/")
    expect_point_on_timeline(page, day=day, mg="0.52")


# --- Pharmacist review ----------------------------------------------------------------------------------------------


def amend_iv(page: Page, *, amount: str, hours: str, volume: str, unit: str = "g") -> None:
    """Choose Amend and type an IV amended plan into the review form by its labels (the live check runs on Tab)."""
    page.get_by_label("Amend", exact=True).check()
    page.get_by_label("IV infusion").check()
    page.get_by_label("IV amount", exact=True).fill(amount)
    page.get_by_label("IV amount: unit").select_option(unit)
    page.get_by_label("Final volume (mL)").fill(volume)
    page.get_by_label("Over (hours)").fill(hours)
    page.get_by_label("Over (hours)").press("Tab")


def review_through_the_queue(pharmacy: Page, case: str, decision: str, **fields: str) -> None:
    """A pharmacist opens `case` from /review/, chooses the decision, fills the labelled fields and submits."""
    pharmacy.goto("/review/")
    pharmacy.get_by_role("link", name=case).click()
    # The heading names the patient by label and hospital identifier (wrong-patient check, HAZ15).
    patient_label, day = case.split(", ")
    heading = re.compile(rf"Review: {re.escape(patient_label)} \([^)]+\), {day}")
    expect(pharmacy.get_by_role("heading", level=1)).to_have_text(heading)
    pharmacy.get_by_label(decision, exact=True).check()
    for label, value in fields.items():
        pharmacy.get_by_label(label).fill(value)
    pharmacy.get_by_role("button", name="Record the review").click()
    expect(pharmacy).to_have_url(re.compile(r"/review/$"))
    expect(pharmacy.locator(".messages")).to_contain_text("Review recorded for")
    # A reviewed plan leaves the queue.
    expect(pharmacy.get_by_role("link", name=case)).to_have_count(0)


def test_the_clinician_sees_the_pharmacists_approval(
    page: Page, chromium: Browser, live_server, clinician, pharmacist, ward
):
    patient = make_patient(user=clinician, ward=ward, label="GH bed 5")
    save_v1(user=clinician, patient=patient, sample_time=timezone.now() - dt.timedelta(days=1))  # day 9
    save_v1(user=clinician, patient=patient)  # day 10

    with second_browser(chromium, live_server) as pharmacy:
        sign_in(pharmacy, live_server, pharmacist)
        review_through_the_queue(pharmacy, "GH bed 5, day 9", "Approve")
        # The other plan still waits.
        expect(pharmacy.get_by_role("link", name="GH bed 5, day 10")).to_be_visible()

    sign_in(page, live_server, clinician)
    page.goto(f"/patients/{patient.pk}/")
    expect(saved_assessments_row(page, day=9).locator(".badge")).to_have_text("Approved")
    expect(saved_assessments_row(page, day=9)).to_contain_text("by pharmacist")
    expect(saved_assessments_row(page, day=10).locator(".badge")).to_have_text("Awaiting pharmacist review")


def test_the_clinician_sees_the_pharmacists_amendment_labelled_amended(
    page: Page, chromium: Browser, live_server, clinician, pharmacist, ward
):
    patient = make_patient(user=clinician, ward=ward, label="GH bed 5")
    saved = save_v1(user=clinician, patient=patient)  # day 10

    with second_browser(chromium, live_server) as pharmacy:
        sign_in(pharmacy, live_server, pharmacist)
        pharmacy.goto("/review/")
        pharmacy.get_by_role("link", name="GH bed 5, day 10").click()
        amend_iv(pharmacy, amount="10", unit="mmol", volume="100", hours="2")
        pharmacy.get_by_label("Note").fill("Slower infusion: on tacrolimus.")
        pharmacy.get_by_label("I have read the cautions above and confirm the amended plan").check()
        pharmacy.get_by_role("button", name="Record the review").click()
        expect(pharmacy).to_have_url(re.compile(r"/review/$"))
        # It waits for a second pharmacist's approval, marked as this pharmacist's amendment.
        expect(pharmacy.get_by_role("row", name=re.compile("GH bed 5"))).to_contain_text(
            "you: another pharmacist approves it"
        )

    sign_in(page, live_server, clinician)
    page.goto(f"/patients/{patient.pk}/")
    amended = saved_assessments_row(page, day=10)
    expect(amended).to_contain_text("Amended plan: Magnesium sulfate 2.46 g (10 mmol Mg) IV")
    expect(amended).to_contain_text("Note: Slower infusion: on tacrolimus.")
    # The badge is the outcome the clinician scans for: "Amended", as "Approved" and "Declined".
    expect(amended.get_by_role("cell").last.locator(".badge")).to_have_text("Amended")
    # The route column says the plan now is the amended one.
    expect(amended.get_by_role("cell").nth(2)).to_contain_text("amended")

    # Printed, the record reads as a handover: the patient, the plan in force (the amendment: the superseded plan's
    # What to do now is left off paper), the result, and only then the review and the input (a tester's sheet opened
    # with the review and the input table).
    page.goto(f"/assessments/{saved.pk}/")
    page.emulate_media(media="print")
    expect(page.locator(".result .action")).to_be_hidden()
    sheet = ("h1", ".amended-plan", ".handover-title", ".result .result-why")
    order = [page.locator(selector).first.bounding_box()["y"] for selector in sheet]
    assert order == sorted(order), order
    after = [page.locator(selector).bounding_box()["y"] for selector in ("#review-heading", "#input-heading")]
    assert min(after) > order[-1], (order, after)


# --- Reminders on the ward list -------------------------------------------------------------------------------------


def test_a_reminder_shows_as_overdue_on_the_ward_list_after_time_passes(page: Page, live_server, clinician, ward):
    patient = make_patient(user=clinician, ward=ward, label="IJ bed 6")
    saved = save_v1(user=clinician, patient=patient)
    first = saved.reminder_records.order_by("due_at", "pk").first()
    assert first.text == FIRST_REMINDER
    # Due from the time of saving, when the plan starts.
    assert first.due_at == saved.created_at + dt.timedelta(hours=FIRST_REMINDER_HOURS)

    # Before it is due, the recheck is listed as due, not overdue, under its patient.
    sign_in(page, live_server, clinician)
    page.goto("/ward/")
    group = page.locator("section.ward-patient", has=page.get_by_role("heading", name=re.compile("IJ bed 6")))
    expect(group).to_contain_text(FIRST_REMINDER)
    expect(group.get_by_role("heading", level=2)).not_to_contain_text("overdue")

    # The live server runs in a thread of this process: travelling here moves its clock too.
    with time_machine.travel(first.due_at + dt.timedelta(minutes=5), tick=True):
        # The idle session expired over those hours: sign in again.
        sign_in(page, live_server, clinician)
        page.goto("/ward/")
        expect(group.get_by_role("heading", level=2)).to_contain_text("2 due now or overdue")
        item = group.get_by_role("listitem").filter(has_text=FIRST_REMINDER)
        expect(item).to_contain_text("Overdue")
        expect(group.get_by_role("link", name="IJ bed 6")).to_be_visible()
        expect(group).to_contain_text("Daily Mg, K, Ca, phosphate and creatinine.")

        # A blank reason is asked for at its field, by the browser, and nothing is sent.
        item.get_by_role("button", name="Not needed").click()
        reason = item.get_by_label("Why it is not needed")
        assert reason.evaluate("e => e.validity.valueMissing && document.activeElement === e")
        expect(page.locator(".messages")).to_have_count(0)
        reason.fill("Infusion cancelled: Mg 0.8 on the morning bloods.")
        item.get_by_role("button", name="Not needed").click()

        expect(page).to_have_url(re.compile(r"/ward/$"))
        expect(page.locator(".messages")).to_contain_text("Reminder marked not needed.")
        expect(group.get_by_role("heading", level=2)).to_contain_text("1 due now or overdue")
        expect(group).not_to_contain_text(FIRST_REMINDER)
        expect(group).to_contain_text("Recheck potassium in 10 h.")


# --- What a trainee cannot open -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/patients/", "/review/"])
def test_a_trainee_cannot_open_patient_records(page_without_js: Page, live_server, trainee, url: str):
    # No JS needed; this context also keeps Chromium's "403" console line out of the error-checking page fixture.
    page = page_without_js
    sign_in(page, live_server, trainee)

    response = page.goto(url)

    assert response.status == 403
    expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()
    nav = page.get_by_role("navigation", name="Site")
    expect(nav.get_by_role("link", name="Assess")).to_be_visible()
    expect(nav.get_by_role("link", name="Patients")).to_have_count(0)
    expect(nav.get_by_role("link", name="Review")).to_have_count(0)


# --- Accessibility --------------------------------------------------------------------------------------------------


@pytest.fixture
def records(clinician, pharmacist, ward) -> SimpleNamespace:
    """A patient with two saved assessments made yesterday and the day before (so their reminders are overdue now and
    the timeline has two points) and a second patient without any."""
    patient = make_patient(user=clinician, ward=ward, label="KL bed 7")
    make_patient(user=clinician, ward=ward, label="MN bed 8")
    now = timezone.now()
    saved = []
    for days_ago in (2, 1):
        with time_machine.travel(now - dt.timedelta(days=days_ago)):
            saved.append(save_v1(user=clinician, patient=patient))
    return SimpleNamespace(patient=patient, first=saved[0], second=saved[1], clinician=clinician, pharmacist=pharmacist)


AXE_PAGES = {
    "patient list": ("pharmacist", lambda r: "/patients/", "Patients on Ward 7"),
    "patient page": ("pharmacist", lambda r: f"/patients/{r.patient.pk}/", "KL bed 7"),
    "new patient": ("pharmacist", lambda r: "/patients/new/", "New patient"),
    "saved assessment": ("pharmacist", lambda r: f"/assessments/{r.second.pk}/", "Saved assessment"),
    "re-assess": ("pharmacist", lambda r: f"/assessments/{r.second.pk}/reassess/", "Re-assess with current rules"),
    "ward list": ("pharmacist", lambda r: "/ward/", "Due checks on Ward 7"),
    "review queue": ("pharmacist", lambda r: "/review/", "Plans awaiting pharmacist review"),
    "review case": ("pharmacist", lambda r: f"/review/{r.first.pk}/", "Review: KL bed 7"),
}


def test_the_login_page_has_no_violations(page: Page):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    found = violations(page)
    assert found == [], summary(found)


@pytest.mark.parametrize("name", AXE_PAGES)
def test_the_records_page_has_no_violations(page: Page, live_server, records, name: str):
    role, url, heading = AXE_PAGES[name]
    sign_in(page, live_server, getattr(records, role))
    page.goto(url(records))
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    if name == "patient page":
        expect(page.locator(".timeline svg g.tl-point")).to_have_count(2)
    if name == "ward list":
        expect(page.locator("section.ward-patient").first).to_contain_text("overdue")

    found = violations(page)
    assert found == [], summary(found)


def test_the_re_assess_comparison_reads_down_a_phone_without_sideways_scrolling(page: Page, live_server, records):
    # A tester found the four-column table cut off at 390 px, the current rules' column out of sight.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, records.pharmacist)
    page.goto(f"/assessments/{records.second.pk}/reassess/")
    region = page.locator(".table-responsive:has(table.whatif-diff)")
    assert region.evaluate("r => r.scrollWidth <= r.clientWidth")
    # Each version labelled where it stands (the column headers are off screen, kept for screen readers).
    labels = page.locator("tr[data-row='route'] td[data-label]").evaluate_all(
        "cells => cells.map(cell => getComputedStyle(cell, '::before').content)"
    )
    assert labels == ['"Saved: "', '"Current rules: "']

    found = violations(page)
    assert found == [], summary(found)


@pytest.mark.parametrize(
    ("role", "url", "cell"), [("pharmacist", "/review/", "Proposed dose"), ("admin", "/audit/", "Detail")]
)
def test_the_review_queue_and_the_audit_log_read_down_a_phone(
    page: Page, live_server, records, make_user, role, url, cell
):
    # A tester at 390 px saw only Patient and Severity; the proposed dose (the audit's detail) was off to the side.
    page.set_viewport_size({"width": 390, "height": 844})
    user = records.pharmacist if role == "pharmacist" else make_user("admin")
    sign_in(page, live_server, user)
    page.goto(url)
    region = page.locator(".table-responsive:has(table.stack-on-phone)")
    assert region.evaluate("r => r.scrollWidth <= r.clientWidth")
    first = page.locator(f"table.stack-on-phone tbody tr td[data-label='{cell}']").first
    expect(first).to_be_visible()
    assert first.evaluate("td => getComputedStyle(td, '::before').content") == f'"{cell}: "'

    found = violations(page)
    assert found == [], summary(found)


def test_the_review_queue_reads_down_a_tablet_held_upright(page: Page, live_server, records):
    # Another tester at 768 px: the "By" column (who approves next) was cut off, with nothing to say it scrolled.
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, live_server, records.pharmacist)
    page.goto("/review/")
    region = page.locator(".table-responsive:has(table.stack-on-tablet)")
    assert region.evaluate("r => r.scrollWidth <= r.clientWidth")
    by = page.locator("table.stack-on-tablet tbody tr td[data-label='By']").first
    expect(by).to_be_in_viewport()
    assert by.evaluate("td => getComputedStyle(td, '::before').content") == '"By: "'
    page.set_viewport_size({"width": 1366, "height": 768})  # a ward PC: still a table
    assert by.evaluate("td => getComputedStyle(td).display") == "table-cell"


def test_the_bedside_page_with_the_save_panel_has_no_violations(page: Page, live_server, records):
    sign_in(page, live_server, records.clinician)
    page.goto(f"/?example={V1}&patient={records.patient.pk}")
    expect(page.locator("#result .save-panel")).to_be_visible()

    found = violations(page)
    assert found == [], summary(found)


def test_back_after_a_save_shows_the_form_empty_not_half_kept(page: Page, live_server, clinician, ward):
    # An independent tester: Back from the saved record showed "Allogeneic" and the patient still chosen beside
    # emptied number fields (the browser restores lists and boxes, never fields marked autocomplete="off"): a form
    # that looked partly filled for the next patient. The saved record holds what was typed; the form is clean.
    sign_in(page, live_server, clinician)
    patient = make_patient(user=clinician, ward=ward, label="EF bed 4")
    page.goto("/")
    page.get_by_label(MG_VALUE).fill("0,45")
    page.get_by_label("Age (years)").fill("54")
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Day after transplant").fill("10")
    page.get_by_label("IV magnesium given in the last 24 h").check()
    result = page.locator("#result")
    expect(result).to_contain_text("Mg 0.45 mmol/L")
    result.get_by_label("Save to patient").select_option(str(patient.pk))
    result.get_by_role("button", name="Save assessment").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    saved = SavedAssessment.objects.get()
    assert saved.input["labs"]["magnesium"] == {"value": 0.45, "unit": "mmol/L"}

    page.go_back()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_label(MG_VALUE)).to_have_value("")
    expect(page.get_by_label("Transplant type")).to_have_value("")
    expect(page.get_by_label("IV magnesium given in the last 24 h")).not_to_be_checked()
    expect(page.locator("#result")).to_contain_text("what to do appears here")


def test_a_sample_time_typed_in_the_save_panel_gives_the_live_result_its_age(page: Page, live_server, clinician, ward):
    # An independent tester: a sample time 30 h ago changed nothing until another field was edited.
    sign_in(page, live_server, clinician)
    make_patient(user=clinician, ward=ward, label="IJ bed 6")
    page.goto(f"/?example={V1}")
    result = page.locator("#result")
    expect(result).to_contain_text("What to do now")
    expect(result).not_to_contain_text("h old: repeat it before acting on this plan")
    drawn = timezone.localtime() - dt.timedelta(hours=30)
    sample = result.get_by_label("Sample time")
    sample.fill(drawn.strftime("%Y-%m-%dT%H:%M"))
    sample.dispatch_event("change")
    stale = re.compile(r"The Mg result is 30(\.\d)? h old: repeat it before acting on this plan")
    expect(result).to_contain_text(stale)
    expect(sample).to_have_value(drawn.strftime("%Y-%m-%dT%H:%M"))  # kept across the update

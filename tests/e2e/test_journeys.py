"""Records and review as each persona uses them, in Chromium (issue 13): signing in halfway through typing, with
JavaScript and without; saving to a patient whose record disagrees; Save pressed twice; a new patient made from the
Save panel; two saves in a row; a pharmacist who lands on the queue, opens a plan with missing items, amends it and
re-opens it; self-approval refused; a trainee's landing page; the crawl of every page for every persona over the
demo data; axe on every changed page."""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from assessments import services
from assessments.models import Patient, Reminder, SavedAssessment
from assessments.roles import Role
from tests.builders import payload, transplant_of
from tests.conftest import PASSWORD
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_accessibility import summary, violations
from tests.e2e.test_records import MG_VALUE, amend_iv, make_patient, save_v1, second_browser, sign_in

WARD_PATIENT = "AB bed 1 (H-AB bed 1, Ward 7)"


@pytest.fixture(autouse=True)
def role_groups(db) -> None:
    """A transactional test's flush deletes the groups of migration 0002: make them again."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def sign_in_with_the_form(page: Page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def type_an_assessment(page: Page, *, day: int = 14, kind: str = "allogeneic", mg: str = "0.48") -> None:
    page.get_by_label("Age (years)").fill("45")
    page.get_by_label("Transplant type").select_option(kind)
    page.get_by_label("Day after transplant").fill(str(day))
    page.get_by_label(MG_VALUE).fill(mg)
    page.get_by_label("Weight (kg)").fill("70")


def assess_without_js(page: Page) -> None:
    page.get_by_role("button", name="Assess", exact=True).click()
    expect(page.locator("#result")).to_contain_text("Clinical severity")


# --- Clinician: nothing typed is lost -------------------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_clinician_signs_in_halfway_and_finds_everything_typed(
    page: Page, page_without_js: Page, live_server, clinician, ward, javascript
):
    tab = page if javascript else page_without_js
    make_patient(user=clinician, ward=ward, days_since_transplant=14)
    tab.goto("/")
    type_an_assessment(tab)
    if javascript:
        expect(tab.locator("#result")).to_contain_text("Clinical severity")
    else:
        assess_without_js(tab)
    # Not signed in: no Save panel; "Sign in" in the header keeps the form.
    expect(tab.locator(".save-panel")).to_have_count(0)
    tab.locator(".signed-in").get_by_role("button", name="Sign in").click()
    expect(tab).to_have_url(re.compile(r"/accounts/login/\?next="))
    sign_in_with_the_form(tab, "clinician")

    expect(tab).to_have_url(re.compile(r"/\?restored=1$"))
    expect(tab.locator(".messages")).to_contain_text("Restored what was typed at")
    expect(tab.get_by_label(MG_VALUE)).to_have_value("0.48")
    expect(tab.get_by_label("Day after transplant")).to_have_value("14")
    expect(tab.get_by_label("Weight (kg)")).to_have_value("70")
    # Signed in now: the result is there and can be saved.
    panel = tab.locator(".save-panel")
    expect(panel).to_be_visible()
    panel.get_by_label("Save to patient").select_option(label=WARD_PATIENT)
    panel.get_by_role("button", name="Save assessment").click()
    expect(tab).to_have_url(re.compile(r"/assessments/\d+/$"))
    assert SavedAssessment.objects.get().input["labs"]["magnesium"] == {"value": 0.48, "unit": "mmol/L"}

    # Signing out on a shared PC leaves nothing to restore for the next person.
    tab.locator(".signed-in").get_by_role("button", name="Sign out").click()
    tab.goto("/?restored=1")
    expect(tab.locator(".messages")).to_contain_text("Nothing to restore")
    expect(tab.get_by_label(MG_VALUE)).to_have_value("")


def test_a_sample_time_typed_while_a_live_update_is_out_is_kept_and_saved(page: Page, live_server, clinician, ward):
    # An independent tester's journey: "New assessment for this patient" shows the Save panel at once; the Mg is
    # typed, then the sample time. Leaving the Mg field sends a live update that still holds the empty sample time;
    # its answer (held back here, as on a slow ward network) swapped the panel and wiped the typed time, and the
    # record was saved as sampled "now".
    patient = make_patient(user=clinician, ward=ward, days_since_transplant=14)
    earlier = save_v1(user=clinician, patient=patient)
    sampled = timezone.localtime() - dt.timedelta(hours=3)
    typed = sampled.strftime("%Y-%m-%dT%H:%M")

    def slow_live_update(route):
        time.sleep(0.4)
        route.continue_()

    sign_in(page, live_server, clinician)
    page.goto(f"/?from={earlier.pk}")
    page.get_by_label("Day after transplant").fill(str(patient.day_after_transplant(sampled)))
    page.get_by_label(MG_VALUE).fill("0,61")
    page.route(
        re.compile(r"/$"),
        lambda route: slow_live_update(route) if route.request.method == "POST" else route.continue_(),
    )
    # The sample time's own change asks for a live update with it (it gives the result its age); the one still out
    # with the empty time is answered late or replaced, and must not wipe what was typed either way.
    with page.expect_response(lambda r: r.request.method == "POST" and f"save-sample_time={quote(typed, safe='')}"
                              in (r.request.post_data or "")):  # fmt: skip
        page.get_by_label("Sample time").fill(typed)
    page.unroute(re.compile(r"/$"))
    page.wait_for_load_state("networkidle")

    expect(page.get_by_label("Sample time")).to_have_value(typed)
    page.locator(".save-panel").get_by_role("button", name="Save assessment").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    saved = SavedAssessment.objects.exclude(pk=earlier.pk).get()
    assert timezone.localtime(saved.sample_time).strftime("%Y-%m-%dT%H:%M") == typed
    assert saved.input["labs"]["magnesium"]["value"] == 0.61


def test_a_kept_sample_time_refused_by_save_is_marked_at_its_field(page: Page, live_server, clinician, ward):
    # The sample time is kept as typed across live updates (hx-preserve), so the invalid mark of a refused Save is
    # set on the page's own field, with its message read out by a screen reader.
    patient = make_patient(user=clinician, ward=ward, days_since_transplant=14)
    earlier = save_v1(user=clinician, patient=patient)
    sign_in(page, live_server, clinician)
    page.goto(f"/?from={earlier.pk}")
    page.get_by_label(MG_VALUE).fill("0,61")
    sample = page.get_by_label("Sample time")
    sample.fill((timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.wait_for_load_state("networkidle")
    page.locator(".save-panel").get_by_role("button", name="Save assessment").click()

    message = page.locator("#id_save-sample_time_error")
    expect(message).to_be_visible()
    expect(sample).to_have_attribute("aria-invalid", "true")
    expect(sample).to_have_attribute("aria-describedby", re.compile(r"\bid_save-sample_time_error\b"))
    expect(sample).to_have_class(re.compile(r"\bis-invalid\b"))
    assert SavedAssessment.objects.count() == 1


def test_a_clinician_saves_to_a_record_that_disagrees_and_chooses_what_is_right(
    page: Page, live_server, clinician, ward
):
    # The case: allogeneic day 14 typed; the record says autologous, day 6.
    patient = make_patient(user=clinician, ward=ward, days_since_transplant=6)
    patient.transplant_type = "autologous"
    patient.save()
    sign_in(page, live_server, clinician)
    page.goto("/")
    type_an_assessment(page, day=14, kind="allogeneic")
    panel = page.locator(".save-panel")
    expect(page.locator("#result")).to_contain_text("Clinical severity")
    panel.get_by_label("Save to patient").select_option(label=WARD_PATIENT)
    panel.get_by_role("button", name="Save assessment").click()

    question = page.get_by_role("alert").filter(has_text="what you typed and the record of AB bed 1")
    expect(question).to_be_visible()
    type_row = question.get_by_role("row", name=re.compile("Transplant type"))
    expect(type_row.get_by_role("cell")).to_have_text(["Allogeneic", "Autologous"])
    expect(question.get_by_role("row", name=re.compile("Day after transplant"))).to_contain_text("Day 14")
    expect(question.get_by_role("row", name=re.compile("Day after transplant"))).to_contain_text("Day 6")
    assert not SavedAssessment.objects.exists()
    expect(page.locator("#disagreement-heading")).to_be_focused()

    # "The record is right": the form takes the record's values and is assessed again; nothing is saved yet.
    question.get_by_role("button", name=re.compile("The record is right")).click()
    expect(page).to_have_url(re.compile(r"/\?restored=1$"))
    expect(page.get_by_label("Transplant type")).to_have_value("autologous")
    expect(page.get_by_label("Day after transplant")).to_have_value("6")
    expect(page.get_by_label(MG_VALUE)).to_have_value("0.48")
    assert not SavedAssessment.objects.exists()

    # Typed again as on the ward's notes, and this time what was typed is right: saved, and the record corrected.
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Day after transplant").fill("14")
    page.get_by_label("Day after transplant").press("Tab")
    # The result was already on the page: wait for the live update of day 14 to land, not for any result.
    page.wait_for_load_state("networkidle")
    expect(page.locator("#result")).to_contain_text("Clinical severity")
    panel.get_by_role("button", name="Save assessment").click()
    page.get_by_role("button", name=re.compile("What I typed is right")).click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    expect(page.locator(".record-corrected")).to_contain_text("Autologous → Allogeneic")
    saved = SavedAssessment.objects.get()
    patient.refresh_from_db()
    assert saved.input["transplant"] == {"type": "allogeneic", "day": 14} and patient.transplant_type == "allogeneic"
    assert patient.day_after_transplant(saved.sample_time) == 14


FORM_AS_POSTED = """() => new URLSearchParams(new FormData(document.getElementById('assessment-form'))).toString()"""


def test_save_pressed_twice_makes_one_record(page: Page, live_server, clinician, ward):
    """The page's own form, token and all, sent twice as a second press (or a resend) sends it. Two presses at the
    very same moment are the PostgreSQL pass's test (tests/web/records/test_concurrency.py): the test server shares
    one SQLite connection between its threads, which a real server does not."""
    make_patient(user=clinician, ward=ward, days_since_transplant=14)
    sign_in(page, live_server, clinician)
    page.goto("/")
    type_an_assessment(page)
    expect(page.locator("#result")).to_contain_text("Clinical severity")
    page.locator(".save-panel").get_by_label("Save to patient").select_option(label=WARD_PATIENT)
    body = page.evaluate(FORM_AS_POSTED)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"}
    answers = [page.request.post("/assessments/save/", data=body, headers=headers) for _ in range(2)]
    assert [a.status for a in answers] == [204, 204]
    assert answers[0].headers["hx-redirect"] == answers[1].headers["hx-redirect"]
    assert SavedAssessment.objects.count() == 1
    # And the button itself, once more on the same page: still the one record.
    page.locator(".save-panel").get_by_role("button", name="Save assessment").click()
    expect(page).to_have_url(re.compile(answers[0].headers["hx-redirect"] + "$"))
    assert SavedAssessment.objects.count() == 1


def test_two_saves_in_a_row_leave_one_current_set_of_reminders(page: Page, live_server, clinician, ward):
    patient = make_patient(user=clinician, ward=ward, days_since_transplant=14)
    sign_in(page, live_server, clinician)
    for mg in ("0.48", "0.55"):
        page.goto(f"/?patient={patient.pk}")
        # "New assessment for this patient": the record's transplant type and today's day are filled in.
        expect(page.get_by_label("Day after transplant")).to_have_value("14")
        page.get_by_label("Age (years)").fill("45")
        page.get_by_label(MG_VALUE).fill(mg)
        page.get_by_label(MG_VALUE).press("Tab")
        expect(page.locator("#result")).to_contain_text(f"Mg {mg} mmol/L")
        page.locator(".save-panel").get_by_role("button", name="Save assessment").click()
        expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    page.goto(f"/patients/{patient.pk}/")
    first, second = SavedAssessment.objects.order_by("pk")
    superseded = page.locator("details", has_text="Superseded by a newer plan")
    expect(superseded).to_contain_text(f"({first.reminder_records.count()})")
    # One current set: the newer plan's reminders and no other.
    current = list(Reminder.objects.filter(state="open").values_list("code", "assessment"))
    assert sorted(code for code, _ in current) == sorted(item["id"] for item in second.output["reminders"])
    assert {assessment for _, assessment in current} == {second.pk}
    page.goto("/ward/")
    expect(page.locator("section.ward-patient")).to_have_count(1)
    expect(page.locator("section.ward-patient")).to_contain_text("Latest Mg 0.55 mmol/L")


def test_a_new_patient_from_the_save_panel_keeps_everything_typed(page: Page, live_server, clinician, ward):
    make_patient(user=clinician, ward=ward, label="AB bed 1")  # someone to choose from, not the right one
    sign_in(page, live_server, clinician)
    page.goto("/")
    type_an_assessment(page, day=14)
    expect(page.locator("#result")).to_contain_text("Clinical severity")
    page.locator(".save-panel").get_by_role("button", name="New patient").click()
    expect(page).to_have_url(re.compile(r"/patients/new/\?then=assess$"))
    expect(page.get_by_text("What you typed on the bedside page is kept")).to_be_visible()
    page.get_by_label("Hospital identifier").fill("H-NEW-1")
    page.get_by_label("Display label").fill("NP bed 12")
    page.get_by_label("Transplant type").select_option("allogeneic")
    page.get_by_label("Transplant date (day 0)").fill((timezone.localdate() - dt.timedelta(days=14)).isoformat())
    page.get_by_label("Ward").select_option(label=ward.name)
    page.get_by_role("button", name="Create patient").click()

    new = Patient.objects.get(hospital_id="H-NEW-1")
    expect(page).to_have_url(re.compile(rf"/\?restored=1&patient={new.pk}$"))
    expect(page.get_by_label(MG_VALUE)).to_have_value("0.48")
    expect(page.locator(".save-panel").get_by_label("Save to patient")).to_have_value(str(new.pk))
    page.locator(".save-panel").get_by_role("button", name="Save assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Saved assessment: NP bed 12")


# --- Pharmacist -----------------------------------------------------------------------------------------------------


def save_incomplete(clinician: User, patient: Patient) -> SavedAssessment:
    """Grade 2, IV, without QTc or calcium: the result lists "Not entered, and needed by a rule"."""
    now = timezone.now()
    data = payload(mg=(0.45, "mmol/L"), drop=("ecg", "labs.calcium_ionized"), transplant=transplant_of(patient, now))
    return services.assessment_save(user=clinician, patient=patient, data=data, sample_time=now)


def test_a_pharmacist_lands_on_the_queue_amends_a_plan_with_missing_items_and_reopens_it(
    page: Page, chromium: Browser, live_server, clinician, pharmacist, ward
):
    patient = make_patient(user=clinician, ward=ward, label="GH bed 5")
    saved = save_incomplete(clinician, patient)
    page.goto("/accounts/login/")
    sign_in_with_the_form(page, "pharmacist")
    expect(page).to_have_url(re.compile(r"/review/$"))
    row = page.get_by_role("row", name=re.compile("GH bed 5"))
    expect(row).to_contain_text("Moderate")
    expect(row).to_contain_text("IV magnesium (infusion): 5 g (20.3 mmol) over 3 h")
    expect(row).to_contain_text("minute")
    row.get_by_role("link").click()

    expect(page.get_by_role("heading", name="Not entered, and needed by a rule")).to_be_visible()
    amend_iv(page, amount="5", volume="500", hours="0,5")
    # Checked live against the protocol's limit: 5 g over 30 min is 167 mg/min.
    check = page.locator("#amendment-check")
    expect(check).to_contain_text("Refused: 167 mg/min is faster than the limit (at most 150 mg/min)")
    page.get_by_label("Over (hours)").fill("5")
    page.get_by_label("Over (hours)").press("Tab")
    expect(check).to_contain_text("Rate 17 mg/min of magnesium sulfate; limit 150 mg/min.")
    expect(check).not_to_contain_text("Refused")
    page.get_by_label("Note").fill("Over 5 h: poorly tolerated yesterday.")
    page.get_by_role("button", name="Record the review").click()
    expect(page).to_have_url(re.compile(r"/review/$"))
    # The amended plan waits for a second pharmacist (four eyes on the plan this pharmacist wrote).
    amended_row = page.get_by_role("row", name=re.compile(patient.label))
    expect(amended_row).to_contain_text("Amended IV magnesium (infusion): 5 g (20.3 mmol) over 5 h")
    expect(amended_row).to_contain_text("you: another pharmacist approves it")

    # Re-opened: the amended plan is the plan, the original labelled superseded, the reminders recomputed.
    page.goto(f"/assessments/{saved.pk}/")
    current = page.locator(".amended-plan")
    expect(current).to_contain_text("Current plan")
    expect(current).to_contain_text("Magnesium sulfate 5 g (20.3 mmol Mg) IV")
    expect(current).to_contain_text("give over 5 h at 100 mL/h (17 mg/min; at most 150 mg/min)")
    expect(current).to_contain_text("Recheck Mg 6 h after the end of the infusion.")
    expect(current).to_contain_text("IV infusion over 5 h + 6 h")
    expect(page.get_by_text("Superseded by pharmacist amendment")).to_be_visible()
    page.goto(f"/patients/{patient.pk}/")
    recheck = page.locator("li", has_text="Recheck Mg 6 h after the end of the infusion.").filter(
        has_text="amended plan"
    )
    expect(recheck).to_have_count(1)
    due = Reminder.objects.get(state="open", code="recheck_mg_after_iv")
    assert due.due_at == due.amendment.created_at + dt.timedelta(hours=11)

    # The clinician's printout shows the amended plan as current, first.
    with second_browser(chromium, live_server) as ward_pc:
        sign_in(ward_pc, live_server, clinician)
        ward_pc.goto(f"/assessments/{saved.pk}/")
        ward_pc.emulate_media(media="print")
        expect(ward_pc.locator(".amended-plan")).to_be_visible()
        assert (
            ward_pc.locator(".amended-plan").bounding_box()["y"]
            < ward_pc.locator(".superseded-label").bounding_box()["y"]
        )
        expect(ward_pc.locator(".reminder-actions")).to_have_count(0)
        # On paper the amendment is the only plan: the superseded result's What to do now, steps and reminders
        # (the old 3 h infusion) are left off; its grade and causes stay.
        superseded = ward_pc.locator(".result.superseded")
        for part in (".action", ".result-steps", ".result-reminders"):
            expect(superseded.locator(part)).to_be_hidden()
        expect(superseded.get_by_text("Plan, step by step")).to_be_hidden()
        expect(superseded).to_contain_text("CTCAE grade")


def test_a_pharmacist_cannot_approve_a_plan_they_saved(page: Page, live_server, pharmacist, ward, make_user):
    patient = make_patient(user=pharmacist, ward=ward, label="ST bed 10")
    now = timezone.now()
    data = payload(transplant=transplant_of(patient, now))
    saved = services.assessment_save(user=pharmacist, patient=patient, data=data, sample_time=now)
    sign_in(page, live_server, pharmacist)
    page.goto("/review/")
    expect(page.get_by_role("row", name=re.compile("ST bed 10"))).to_contain_text("you: another pharmacist reviews it")
    page.get_by_role("link", name=re.compile("ST bed 10")).click()
    expect(page.get_by_text("You saved this plan: another pharmacist reviews it (four eyes).")).to_be_visible()
    expect(page.get_by_role("button", name="Record the review")).to_have_count(0)
    saved.refresh_from_db()
    assert saved.review_status == "pending"


# --- Trainee --------------------------------------------------------------------------------------------------------


def test_a_trainee_lands_on_teaching(page_without_js: Page, live_server, trainee):
    page = page_without_js
    page.goto("/accounts/login/")
    sign_in_with_the_form(page, "trainee")
    expect(page).to_have_url(re.compile(r"/teaching/$"))
    expect(page.get_by_role("navigation", name="Site").get_by_role("link", name="Patients")).to_have_count(0)


# --- The crawl, in the browser --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "trainee", "clinician", "pharmacist", "admin"])
def test_the_crawl_finds_no_5xx_in_the_browser(chromium: Browser, live_server, demo_records, persona):
    """Every page linked from the navigation, and every page those link to, opened in Chromium."""
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if persona != "anonymous":
        sign_in(page, live_server, demo_records[persona])
    page.goto("/")
    nav = [urlsplit(a).path for a in page.locator("nav[aria-label=Site] a").evaluate_all("els => els.map(e => e.href)")]
    statuses: dict[str, int] = {}
    below: list[str] = []
    for url in nav:
        statuses[url] = page.goto(url).status
        hrefs = page.locator("main a[href^='/'], main a[href^='http']").evaluate_all("els => els.map(e => e.href)")
        below += [u for u in hrefs if urlsplit(u).netloc == urlsplit(live_server.url).netloc]
    for url in dict.fromkeys(below):
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        if path in statuses or path.startswith("/static/") or ("/admin/" in path and "?" in path):
            continue
        statuses[path] = page.goto(path).status
    context.close()
    assert not {url: status for url, status in statuses.items() if status >= 500}
    assert not errors, errors
    assert len(statuses) >= {"anonymous": 4, "trainee": 10, "clinician": 20, "pharmacist": 20, "admin": 8}[persona]


# --- Accessibility of the changed pages -----------------------------------------------------------------------------


AXE_PAGES = {
    "review queue": ("pharmacist", lambda: "/review/"),
    "review of an incomplete plan": (
        "pharmacist",
        lambda: f"/review/{SavedAssessment.objects.get(patient__hospital_id='DEMO-0004').pk}/",
    ),
    "record with an amendment": (
        "clinician",
        lambda: f"/assessments/{SavedAssessment.objects.get(review_status='amended').pk}/",
    ),
    "record saved under 2026.1": (
        "clinician",
        lambda: f"/assessments/{SavedAssessment.objects.filter(ruleset='2026.1').first().pk}/",
    ),
    "patient with superseded reminders": (
        "clinician",
        lambda: f"/patients/{Patient.objects.get(hospital_id='DEMO-0003').pk}/",
    ),
    "ward list by patient": ("clinician", lambda: "/ward/"),
    "new patient from the save panel": ("clinician", lambda: "/patients/new/?then=assess"),
}


@pytest.mark.parametrize("name", AXE_PAGES)
def test_the_changed_page_has_no_violations(page: Page, live_server, demo_records, name):
    role, url = AXE_PAGES[name]
    sign_in(page, live_server, demo_records[role])
    page.goto(url())
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if name.startswith("review of"):
        amend_iv(page, amount="4", volume="250", hours="0,25")
        expect(page.locator("#amendment-check")).to_contain_text("Refused")
    if name.startswith("patient with"):
        page.locator("details", has_text="Superseded by a newer plan").locator("summary").click()

    found = violations(page)
    assert found == [], summary(found)


def test_the_disagreement_panel_has_no_violations(page: Page, live_server, demo_records):
    sign_in(page, live_server, demo_records["clinician"])
    page.goto("/")
    type_an_assessment(page, day=14, kind="allogeneic")
    expect(page.locator("#result")).to_contain_text("Clinical severity")
    panel = page.locator(".save-panel")
    panel.get_by_label("Save to patient").select_option(label="CD bed 5 (DEMO-0002, Ward 7 (transplant))")
    panel.get_by_role("button", name="Save assessment").click()
    expect(page.locator(".disagreement")).to_be_visible()

    found = violations(page)
    assert found == [], summary(found)

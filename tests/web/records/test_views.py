"""The records pages: saving from the bedside form, the patient page, reminders, the ward list, review, CSRF."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.bedside.form_mapping import input_to_form
from assessments.models import NEW_MG_REMINDERS, Reminder, ReminderState, SavedAssessment, Ward
from assessments.records.amendment import Amendment
from tests.builders import payload, transplant_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client_as):
    """The clinician at the bedside: signed in, CSRF enforced."""
    return client_as("clinician")


def form_data(data=None, *, patient=None, **save) -> dict:
    """The bedside form as posted; with `patient`, saved to that patient, its transplant type and day as the record
    says (a test of a disagreement types them itself after this)."""
    data = dict(data or payload())
    if patient is not None:
        data["transplant"] = transplant_of(patient, timezone.now())
        save["patient"] = patient.pk
    fields = input_to_form(data)
    fields.update({f"save-{key}": value for key, value in save.items()})
    return fields


def saved_for(user, patient, **changes) -> SavedAssessment:
    now = timezone.now()
    changes.setdefault("transplant", transplant_of(patient, now))
    return services.assessment_save(user=user, patient=patient, data=payload(**changes), sample_time=now)


# --- Saving from the bedside page -----------------------------------------------------------------------------------


def test_the_save_panel_is_shown_to_clinicians_with_a_result_and_never_to_anonymous_users(client, client_as, patient):
    page = client.submit(reverse("assess"), form_data())
    assert b"Save to a patient record" in page.content and patient.label.encode() in page.content
    anonymous = client_as("anonymous").submit(reverse("assess"), form_data())
    assert b"Save to a patient record" not in anonymous.content
    assert patient.label.encode() not in anonymous.content


def test_the_live_result_keeps_the_chosen_patient_without_complaining_about_it(client, patient):
    response = client.submit(reverse("assess"), form_data(patient=patient), HTTP_HX_REQUEST="true")
    assert f'<option value="{patient.pk}" selected>'.encode() in response.content
    assert b"Choose the patient" not in response.content


def test_save_without_js_redirects_to_the_saved_record(client, patient):
    response = client.submit(reverse("assessment-save"), form_data(patient=patient))
    saved = SavedAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessment-detail", args=[saved.pk])
    assert saved.patient == patient and saved.transplant_day == (timezone.localdate() - patient.transplant_date).days


def test_save_with_htmx_asks_the_browser_to_go_to_the_saved_record(client, patient):
    response = client.submit(reverse("assessment-save"), form_data(patient=patient), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("assessment-detail", args=[SavedAssessment.objects.get().pk])


def test_save_without_a_patient_says_so_and_keeps_everything_typed(client):
    response = client.submit(reverse("assessment-save"), form_data(sample_time="2026-11-20T08:00"))
    assert response.status_code == 200 and not SavedAssessment.objects.exists()
    content = response.content.decode()
    assert "Choose the patient to save this assessment to." in content
    assert 'value="2026-11-20T08:00"' in content
    assert 'name="magnesium_value" value="0.6"' in content


def test_a_sample_time_in_the_future_is_refused(client, patient):
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.submit(reverse("assessment-save"), form_data(patient=patient, sample_time=future))
    assert b"The sample time is in the future" in response.content
    assert not SavedAssessment.objects.exists()


def test_haz35_an_older_sample_saved_late_says_the_later_plan_stays_current(client, clinician, patient):
    # Its reminders were superseded at once by the later sample's plan, and nothing said so.
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 12, 7, 12, 0)), tick=False):
        newer = saved_for(clinician, patient)
        older = (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        response = client.submit(reverse("assessment-save"), form_data(patient=patient, sample_time=older), follow=True)
    content = response.content.decode()
    assert "This sample is older than one already assessed for this patient" in content
    assert "A newer assessment of this patient exists" in content
    assert f'href="{reverse("assessment-detail", args=[newer.pk])}">Open the newer assessment</a>' in content
    saved = SavedAssessment.objects.exclude(pk=newer.pk).get()
    assert not Reminder.objects.filter(assessment=saved, state=ReminderState.OPEN).exists()
    # The newer record itself says nothing of the kind.
    page = client.get(reverse("assessment-detail", args=[newer.pk])).content.decode()
    assert "A newer assessment of this patient exists" not in page


def test_an_engine_error_on_save_lands_on_its_field_and_saves_nothing(client, patient):
    data = payload(labs={"magnesium": {"value": 18, "unit": "mmol/L"}})
    response = client.submit(reverse("assessment-save"), form_data(data, patient=patient))
    assert response.status_code == 200 and not SavedAssessment.objects.exists()
    assert b'id="id_magnesium_value_error"' in response.content


def test_csrf_is_enforced_on_every_write(login, clinician, patient):
    # Posted without the page's token, as a forged cross-site form would be.
    client = login(clinician)
    saved = saved_for(clinician, patient)
    reminder = saved.reminder_records.first()
    for url, data in [
        (reverse("assessment-save"), form_data(patient=patient)),
        (reverse("patient-create"), {"hospital_id": "X"}),
        (reverse("reminder-update", args=[reminder.pk]), {"action": "done"}),
        (reverse("logout"), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert SavedAssessment.objects.count() == 1
    assert Reminder.objects.get(pk=reminder.pk).state == ReminderState.OPEN


# --- Patient page, records, re-assessment ---------------------------------------------------------------------------


def test_the_patient_page_draws_the_timeline_and_the_same_data_as_a_table(client, clinician, patient):
    saved_for(clinician, patient, mg=(0.45, "mmol/L"))
    saved_for(clinician, patient, mg=(0.62, "mmol/L"))
    content = client.get(reverse("patient-detail", args=[patient.pk])).content.decode()
    assert content.count('class="tl-point"') == 2
    assert "<td>0.45</td>" in content and "<td>0.62</td>" in content
    assert 'hx-history="false"' in content


def test_a_site_on_conventional_units_sees_the_timeline_in_mg_per_dl(client, clinician, patient, settings):
    settings.HYPOMAG_DEFAULT_UNITS = "conventional"
    saved_for(clinician, patient, mg=(0.45, "mmol/L"))
    content = client.get(reverse("patient-detail", args=[patient.pk])).content.decode()
    # 0.45 mmol/L x 2.431 = 1.09 mg/dL (the engine's own conversion).
    assert "Mg (mg/dL)" in content and "<td>1.09</td>" in content


def test_patient_pages_are_never_cached(client, patient):
    response = client.get(reverse("patient-detail", args=[patient.pk]))
    assert "no-store" in response["Cache-Control"]


def test_a_saved_record_shows_what_was_recommended_then_and_downloads_as_json(client, clinician, patient):
    saved = saved_for(clinician, patient)
    saved.output["plan"]["steps"][0]["text"] = "A step of an older rule set"
    SavedAssessment.objects.filter(pk=saved.pk).update(output=saved.output, ruleset="2025.9")
    page = client.get(reverse("assessment-detail", args=[saved.pk]))
    assert b"A step of an older rule set" in page.content and b"2025.9" in page.content
    download = client.get(reverse("assessment-detail", args=[saved.pk]) + "?format=json")
    assert download.json()["ruleset"] == "2025.9"
    assert "attachment" in download["Content-Disposition"]
    assert saved.patient.hospital_id not in download["Content-Disposition"]


def test_reassess_shows_the_old_and_new_result_with_the_differences(client, clinician, patient):
    saved = saved_for(clinician, patient)
    saved.output["plan"]["route"] = "iv_urgent"
    saved.output["ruleset"] = "2025.9"
    SavedAssessment.objects.filter(pk=saved.pk).update(output=saved.output, ruleset="2025.9")
    content = client.get(reverse("assessment-reassess", args=[saved.pk])).content.decode()
    route_row = content[content.index('data-row="route"') :].split("</tr>")[0]
    assert (
        '<td data-label="Saved">Urgent IV magnesium (bolus)</td>' in route_row
        and "<mark>" in route_row
        and "Changed" in route_row
    )
    assert "Saved (2025.9)" in content and "No difference" not in content
    unchanged = client.get(reverse("assessment-reassess", args=[saved_for(clinician, patient).pk])).content.decode()
    assert "No difference" in unchanged
    assert SavedAssessment.objects.count() == 2


# --- Reminders and the ward list ------------------------------------------------------------------------------------


def test_haz35_a_now_item_reads_due_now_not_overdue_a_minute_after_saving(client, clinician, patient):
    # "12-lead ECG now" showed "Overdue" on the ward list the moment the plan was saved.
    labs = {"magnesium": {"value": 0.3, "unit": "mmol/L"}, "potassium": {"value": 2.9, "unit": "mmol/L"}}
    with time_machine.travel(dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC), tick=False):
        saved = saved_for(clinician, patient, labs=labs, ecg={})
    ecg = saved.reminder_records.get(code="ecg_now")
    with time_machine.travel(dt.datetime(2026, 11, 20, 8, 1, tzinfo=dt.UTC), tick=False):
        client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
        page = client.get(reverse("ward")).content.decode()
        item = page[: page.index(ecg.text)]
        assert item.rstrip().endswith("</strong>") and 'text-bg-danger">Due now</span>' in item[-300:]
        assert "<strong>1 due now or overdue</strong>" in page
    with time_machine.travel(saved.reminder_records.get(code="recheck_k").due_at + dt.timedelta(minutes=1)):
        client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
        page = client.get(reverse("patient-detail", args=[patient.pk])).content.decode()
        assert 'text-bg-danger">Due now</span>' in page and 'text-bg-danger">Overdue</span>' in page


def test_a_reminder_becomes_overdue_on_the_ward_list_when_its_time_passes(client, clinician, patient):
    with time_machine.travel(dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC), tick=False):
        saved = saved_for(clinician, patient)
        first = saved.reminder_records.order_by("due_at").first()
        page = client.get(reverse("ward")).content.decode()
        assert "<strong>0 due now or overdue</strong>" in page and first.text in page
        assert 'text-bg-danger">Overdue</span>' not in page
    with time_machine.travel(first.due_at + dt.timedelta(minutes=1), tick=False):
        client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")  # the idle session ended
        page = client.get(reverse("ward")).content.decode()
        group = page[page.index(f'id="ward-patient-{patient.pk}"') :]
        assert "overdue</span>" in group.split("</h2>")[0] and patient.label in group.split("</h2>")[0]
        assert first.text in group and "Overdue</span>" in group


def test_the_ward_list_groups_by_patient_with_the_latest_mg_its_grade_and_how_long_ago(client, clinician, patient):
    with time_machine.travel(dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC), tick=False):
        saved_for(clinician, patient, mg=(0.62, "mmol/L"))
    with time_machine.travel(dt.datetime(2026, 11, 20, 11, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
        latest = saved_for(clinician, patient, mg=(0.45, "mmol/L"))
    with time_machine.travel(dt.datetime(2026, 11, 20, 13, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
        page = client.get(reverse("ward")).content.decode()
    # One group for the patient, not one card per reminder of each save.
    assert page.count(f'id="ward-patient-{patient.pk}"') == 1
    group = page[page.index(f'id="ward-patient-{patient.pk}"') :]
    assert "Latest Mg <strong>0.45 mmol/L</strong>, grade 2" in group and "sampled 2\xa0hours ago" in group
    assert ">Moderate</span>" in group or ">Mild</span>" in group or ">Severe</span>" in group
    codes = [r["id"] for r in latest.output["reminders"] if r["due_in_hours"] <= 24]
    assert group.count('class="reminder-actions') == len(codes)


def test_the_audit_log_tells_patients_with_the_same_label_apart(client_as, clinician, patient, make_patient):
    # A tester saw "ZZ bed 1" three times in the Patient filter, for three patients.
    twin = make_patient(hospital_id="H0999", label=patient.label)
    saved_for(clinician, patient)
    saved_for(clinician, twin)
    html = client_as("admin").get(reverse("audit-log")).content.decode()
    assert f">{patient.label} ({patient.hospital_id})</option>" in html
    assert f">{twin.label} (H0999)</option>" in html
    assert f'<td data-label="Patient">{twin.label} (H0999)</td>' in html  # the Patient column too


def test_the_audit_log_reads_in_words_not_keys(client_as, clinician, patient):
    # The Detail column showed "ruleset: 2026.2; superseded: []" and the Object column "SavedAssessment 12".
    first = saved_for(clinician, patient)
    second = saved_for(clinician, patient)
    reminder = Reminder.objects.filter(assessment=second, state=ReminderState.OPEN).first()
    services.reminder_not_needed(user=clinician, reminder=reminder, reason="Discharged home")
    html = client_as("admin").get(reverse("audit-log")).content.decode()
    assert f'<td data-label="Object">Assessment {first.pk}</td>' in html and "SavedAssessment" not in html
    assert f"rule set: {second.ruleset}" in html and "ruleset:" not in html
    superseded = sorted(Reminder.objects.filter(assessment=first).values_list("pk", flat=True))
    assert "reminders superseded: " + ", ".join(map(str, superseded)) in html
    assert "superseded: []" not in html  # the first save superseded nothing and says nothing of it
    assert "marked: not needed; reason: Discharged home" in html and "not_needed" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("user=-1", "Enter a user id as the User column gives it"),
        ("user=1e3", "Enter a user id as the User column gives it"),
        ("user=1.5", "Enter a user id as the User column gives it"),
        ("patient=abc", "There is no such patient"),
        ("patient=999999", "There is no such patient"),
    ],
)
def test_a_filter_that_cannot_be_read_says_so_at_its_field_and_shows_no_events(
    client_as, clinician, patient, query, message
):
    # A tester: /audit/?user=-1 listed all 35 events under a box reading "-1", as if filtered.
    saved_for(clinician, patient)
    html = client_as("admin").get(f"{reverse('audit-log')}?{query}").content.decode()
    assert message in html
    assert "Nothing is shown until the filter above is corrected." in html
    assert 'data-label="Action"' not in html  # no event rows
    assert "Enter a whole number" not in html and "Select a valid choice" not in html
    readable = client_as("admin").get(f"{reverse('audit-log')}?user={clinician.pk}").content.decode()
    assert 'data-label="Action"' in readable and "Nothing is shown" not in readable


def test_the_ward_list_shows_only_the_users_ward_by_default(client, clinician, patient, make_patient):
    other_ward = Ward.objects.create(name="Ward 9")
    other = make_patient(hospital_id="H0002", label="ZZ elsewhere", transplant_type="autologous", ward=other_ward)
    saved_for(clinician, other)
    saved_for(clinician, patient)
    page = client.get(reverse("ward")).content.decode()
    assert patient.label in page and other.label not in page
    assert other.label in client.get(reverse("ward"), {"ward": other_ward.pk}).content.decode()


def test_not_needed_needs_a_reason_and_done_closes_the_reminder(client, clinician, patient):
    reminder = saved_for(clinician, patient).reminder_records.first()
    url = reverse("reminder-update", args=[reminder.pk])
    # The browser asks for the reason at its field (a tester's blank reason came back as a message at the page's top).
    page = client.get(reverse("patient-detail", args=[patient.pk])).content.decode()
    assert re.search(rf'id="reason-{reminder.pk}"[^>]* required>', page)
    response = client.submit(url, {"action": "not_needed", "reason": ""}, follow=True)
    assert b"Say why the reminder is not needed." in response.content
    assert Reminder.objects.get(pk=reminder.pk).state == ReminderState.OPEN
    client.submit(url, {"action": "not_needed", "reason": "Discharged"})
    assert Reminder.objects.get(pk=reminder.pk).state == ReminderState.NOT_NEEDED


def test_done_with_a_new_mg_opens_the_bedside_form_prefilled_and_the_save_closes_the_reminder(
    client, clinician, patient
):
    saved = saved_for(clinician, patient)
    reminder = saved.reminder_records.filter(code__in=NEW_MG_REMINDERS).first()
    response = client.submit(reverse("reminder-update", args=[reminder.pk]), {"action": "recheck"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    # The patient details are carried over; today's labs are left for today's values; the patient is chosen and the
    # transplant day is today's, from the record.
    assert 'name="weight_kg" value="70"' in page
    assert 'name="potassium_value" value="4.2"' not in page
    assert 'name="magnesium_value" value=' not in page.split('id="id_magnesium_value"')[0][-200:]
    assert f'name="transplant_day" value="{patient.day_after_transplant(timezone.now())}"' in page
    assert f'name="save-completes" value="{reminder.pk}"' in page
    new = payload(mg=(0.71, "mmol/L"))
    client.submit(reverse("assessment-save"), form_data(new, patient=patient, completes=reminder.pk))
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.DONE and reminder.follow_up.mg_mmol_per_l == Decimal("0.710")


def test_haz09_a_recheck_within_a_day_of_an_iv_plan_starts_with_iv_magnesium_ticked_and_says_so(
    client, clinician, patient
):
    # A tester: "Done: enter the new Mg" on "Recheck Mg 6 h after the end of the infusion" left "IV magnesium in the
    # last 24 h" unticked (it is per sample, never carried over), so the new level read as a steady state.
    iv = saved_for(clinician, patient, mg=(0.45, "mmol/L"))
    assert iv.route == "iv"
    recheck = iv.reminder_records.get(code="recheck_mg_after_iv")
    page = client.get(client.submit(reverse("reminder-update", args=[recheck.pk]), {"action": "recheck"})["Location"])
    html = page.content.decode()
    assert re.search(r'name="iv_magnesium_last_24h"[^>]*checked', html)
    assert "is ticked: the plan of" in html and "Untick it if the infusion was not given." in html
    # A day later, or after an oral plan, it starts unticked (the box is per sample).
    SavedAssessment.objects.filter(pk=iv.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    later = client.get(f"/?from={iv.pk}").content.decode()
    assert 'name="weight_kg" value="70"' in later  # prefilled from the plan: signed in, the same page
    assert not re.search(r'name="iv_magnesium_last_24h"[^>]*checked', later)
    oral = saved_for(clinician, patient, mg=(0.6, "mmol/L"))
    assert oral.route == "oral"
    assert not re.search(r'name="iv_magnesium_last_24h"[^>]*checked', client.get(f"/?from={oral.pk}").content.decode())


def test_haz35_only_a_magnesium_recheck_offers_done_enter_the_new_mg(client, clinician, patient):
    # A tester: "12-lead ECG now" and "Check potassium and calcium now" offered it too, and saving the new Mg then
    # closed an ECG that was never done.
    saved = saved_for(clinician, patient, drop=("labs.creatinine",))  # "Check the creatinine now" too
    codes = set(saved.reminder_records.values_list("code", flat=True))
    assert codes & NEW_MG_REMINDERS and codes - NEW_MG_REMINDERS, codes
    page = client.get(reverse("patient-detail", args=[patient.pk])).content.decode()
    for reminder in saved.reminder_records.all():
        actions = page.split(reverse("reminder-update", args=[reminder.pk]))[1].split("</form>")[0]
        assert ('value="recheck"' in actions) == (reminder.code in NEW_MG_REMINDERS), reminder.code
    other = saved.reminder_records.exclude(code__in=NEW_MG_REMINDERS).first()
    response = client.submit(reverse("reminder-update", args=[other.pk]), {"action": "recheck"}, follow=True)
    assert b"it is not a magnesium recheck" in response.content
    other.refresh_from_db()
    assert other.state == ReminderState.OPEN


# --- Review ---------------------------------------------------------------------------------------------------------


def test_the_review_queue_puts_emergencies_first_then_oldest(login, pharmacist, clinician, patient):
    oldest = saved_for(clinician, patient)
    newer = saved_for(clinician, patient)
    emergency = saved_for(clinician, patient, mg=(0.3, "mmol/L"), symptoms=["seizure"])
    assert emergency.is_emergency
    content = login(pharmacist).get(reverse("review-queue")).content.decode()
    positions = [content.index(reverse("review-case", args=[s.pk]) + '"') for s in (emergency, oldest, newer)]
    assert positions == sorted(positions)


def test_a_conflicting_review_shows_the_first_and_keeps_the_second_reviewers_text(
    login, make_user, pharmacist, clinician, patient
):
    saved = saved_for(clinician, patient)
    url = reverse("review-case", args=[saved.pk])
    # Both open the review page (and its form) before either submits.
    first, second = login(pharmacist), login(make_user("p2", role="pharmacist"))
    first_token, second_token = first.csrf_token(url), second.csrf_token(url)
    approve = {"outcome": "approved", "version": 1, "note": "Fine", "csrfmiddlewaretoken": first_token}
    assert first.post(url, approve).status_code == 302
    amend = {"outcome": "amended", "route": "iv", "amount": "10", "amount_unit": "mmol", "volume_ml": "100"}
    amend |= {"duration_hours": "2", "confirm_cautions": "on", "version": 1, "note": "My careful note"}
    response = second.post(url, amend | {"csrfmiddlewaretoken": second_token})
    content = response.content.decode()
    assert response.status_code == 409
    assert "Another pharmacist reviewed this plan" in content and "Fine" in content
    assert 'name="amount" value="10"' in content and "My careful note" in content
    # Kept against the version now current, so that adding it is one press, not another conflict.
    assert 'name="version" value="2"' in content
    saved.refresh_from_db()
    assert (saved.review_status, saved.reviews.count()) == ("approved", 1)


def test_the_clinician_sees_the_review_outcome_on_the_patient_page(client, pharmacist, clinician, patient):
    saved = saved_for(clinician, patient)
    services.review_submit(
        user=pharmacist,
        assessment=saved,
        version=1,
        outcome="amended",
        amendment=Amendment(route="iv", amount=8, amount_unit="mmol", volume_ml=100, duration_hours=2),
        cautions_confirmed=True,
    )
    content = client.get(reverse("patient-detail", args=[patient.pk])).content.decode()
    assert ">Amended</span>" in content and "Magnesium sulfate 1.97 g (8 mmol Mg) IV" in content


# --- Accounts -------------------------------------------------------------------------------------------------------


def test_sign_in_shows_who_is_signed_in_and_sign_out_is_one_click(client_as, clinician):
    client = client_as("anonymous")
    login = reverse("login")
    response = client.submit(login, {"username": "clinician", "password": PASSWORD}, page=login, follow=True)
    assert b"Signed in as <strong>clinician</strong>" in response.content
    client.submit(reverse("logout"))
    assert client.get(reverse("patient-list")).status_code == 302


def test_repeated_failed_sign_ins_lock_the_account_with_a_message(client_as, clinician, settings):
    client = client_as("anonymous")
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.submit(login, {"username": "clinician", "password": "wrong"}, page=login)
    response = client.submit(login, {"username": "clinician", "password": PASSWORD}, page=login)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_the_session_ends_after_the_idle_time_and_each_request_renews_it(settings):
    assert settings.SESSION_COOKIE_AGE == settings.HYPOMAG_IDLE_MINUTES * 60 == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_an_idle_session_is_signed_out(client):
    assert client.get(reverse("patient-list")).status_code == 200
    later = timezone.now() + dt.timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        assert client.get(reverse("patient-list")).status_code == 302


def test_a_saved_records_recheck_counts_from_when_the_record_is_read(client, clinician, patient):
    # An independent tester: a record saved at 14:36 and read at 14:47 still said "23:51 (in 9 h 15 min)".
    saved_at = timezone.make_aware(dt.datetime(2026, 11, 25, 8, 0))
    with time_machine.travel(saved_at, tick=False):
        data = payload(mg=(0.45, "mmol/L"), transplant=transplant_of(patient, saved_at))
        saved = services.assessment_save(user=clinician, patient=patient, data=data, sample_time=saved_at)
    recheck = next(r for r in saved.output["reminders"] if r["id"] == "recheck_mg_after_iv")
    assert recheck["due_in_hours"] == 9  # 3 h infusion + 6 h: due 17:00
    for read_at, when in (("08:00", "in 9 h"), ("14:45", "in 2 h 15 min"), ("19:30", "2 h 30 min ago")):
        hour, minute = map(int, read_at.split(":"))
        with time_machine.travel(saved_at.replace(hour=hour, minute=minute), tick=False):
            client.force_login(clinician)  # a sign-in at each reading (the idle time ends a session)
            html = client.get(f"/assessments/{saved.pk}/").content.decode()
        assert f'<strong class="recheck-time">17:00</strong><span class="recheck-when"> ({when})</span>' in html, (
            read_at
        )


@pytest.mark.django_db
def test_a_saved_plans_engine_sentences_write_units_as_a_clinician_does_on_every_page(clinician, patient, client_as):
    # A tester saw "umol/L" in a reminder's reasons on the patient page, beside "µmol/L" in the plan above it.
    now = timezone.now()
    data = payload(
        patient={"age_years": 11.9, "weight_kg": 34},
        drop=("patient.height_cm",),
        labs={"magnesium": {"value": 0.57, "unit": "mmol/L"}, "creatinine": {"value": 58, "unit": "umol/L"}},
        gi={"mucositis_grade": 3},
        transplant=transplant_of(patient, now),
    )
    saved = services.assessment_save(user=clinician, patient=patient, data=data, sample_time=now)
    assert any("58 umol/L" in reason for item in saved.output["reminders"] for reason in item["because"])
    pharmacist = client_as("pharmacist")
    for url in (f"/patients/{patient.pk}/", f"/assessments/{saved.pk}/", f"/review/{saved.pk}/", "/ward/"):
        page = pharmacist.get(url).content.decode()
        assert "umol/L" not in page, url
        assert "58 µmol/L" in page or url == "/ward/", url


@pytest.mark.django_db
def test_the_charts_table_names_the_severity_as_the_badge_does(client_as, saved_assessment):
    page = client_as("clinician").get(f"/patients/{saved_assessment.patient.pk}/").content.decode()
    table = page[page.index("The same data as the chart") :].split("</table>")[0]
    assert "<td>Mild</td>" in table and "<td>mild</td>" not in table


@pytest.mark.django_db
def test_a_plan_on_two_immunosuppressants_shows_both_troughs_on_the_chart_and_in_its_table(
    client_as, clinician, patient
):
    now = timezone.now()
    drugs = [
        {"drug": "tacrolimus", "trough": {"value": 12, "unit": "ng/mL"}},
        {"drug": "cyclosporine", "trough": {"value": 250, "unit": "ng/mL"}},
    ]
    data = payload(immunosuppressants=drugs, transplant=transplant_of(patient, now))
    services.assessment_save(user=clinician, patient=patient, data=data, sample_time=now)
    page = client_as("clinician").get(f"/patients/{patient.pk}/").content.decode()
    assert page.count('class="tl-trough"') == 2
    table = page[page.index("The same data as the chart") :].split("</table>")[0]
    assert "tacrolimus 12 ng/mL<br>cyclosporine 250 ng/mL" in table

"""The pharmacist's side as used: the review page of a plan with missing items (it answered 500), its invalid submit
and its 409, four eyes, the queue (severity by colour and word, the proposed dose, how long it has waited), and an
amendment that is the plan."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from assessments import services
from assessments.models import ReminderState, SavedAssessment
from tests.builders import payload, transplant_of

pytestmark = pytest.mark.django_db


def save(user, patient, *, drop=(), **changes) -> SavedAssessment:
    now = timezone.now()
    data = payload(drop=drop, transplant=transplant_of(patient, now), **changes)
    return services.assessment_save(user=user, patient=patient, data=data, sample_time=now)


@pytest.fixture
def incomplete(clinician, patient) -> SavedAssessment:
    """Grade 2, IV, without QTc, calcium or height: its result lists "Not entered, and needed by a rule"."""
    saved = save(clinician, patient, mg=(0.45, "mmol/L"), drop=("ecg", "labs.calcium_ionized", "patient.height_cm"))
    assert {"ecg.qtc_ms", "labs.calcium_ionized"} <= set(saved.output["missing"])
    return saved


def url(saved) -> str:
    return f"/review/{saved.pk}/"


AMEND_IV = {"outcome": "amended", "route": "iv", "amount": "5", "amount_unit": "g", "volume_ml": "500"}


# --- The review page never answers 500 ------------------------------------------------------------------------------


def test_haz30_the_review_page_of_a_plan_with_missing_items_shows_them_in_words(client_as, incomplete):
    response = client_as("pharmacist").get(url(incomplete))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not entered, and needed by a rule" in html and "QTc" in html
    assert "ecg.qtc_ms" not in html


def test_haz30_an_invalid_review_shows_what_to_fix_at_its_field(client_as, incomplete):
    client = client_as("pharmacist")
    response = client.submit(url(incomplete), {"outcome": "amended", "version": 1}, page=url(incomplete))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the amended route." in html
    declined = client.submit(url(incomplete), {"outcome": "declined", "version": 1}, page=url(incomplete))
    assert declined.status_code == 200 and "Choose the reason for declining." in declined.content.decode()
    assert SavedAssessment.objects.get().review_status == "pending"


def test_haz30_a_review_conflict_on_a_plan_with_missing_items_answers_409_with_the_page(
    client_as, login, make_user, incomplete
):
    first, other = client_as("pharmacist"), login(make_user("p2", role="pharmacist"))
    token = other.csrf_token(url(incomplete))
    assert first.submit(url(incomplete), {"outcome": "approved", "version": 1}, page=url(incomplete)).status_code == 302
    response = other.post(url(incomplete), {"outcome": "approved", "version": 1, "csrfmiddlewaretoken": token})
    assert response.status_code == 409
    assert "Another pharmacist reviewed this plan" in response.content.decode()
    assert "Not entered, and needed by a rule" in response.content.decode()


# --- Four eyes ------------------------------------------------------------------------------------------------------


def test_haz36_the_pharmacist_who_saved_a_plan_sees_it_but_cannot_review_it(client_as, pharmacist, patient):
    saved = save(pharmacist, patient)
    client = client_as("pharmacist")
    page = client.get(url(saved)).content.decode()
    assert "You saved this plan: another pharmacist reviews it (four eyes)." in page
    assert "Record the review" not in page
    response = client.submit(url(saved), {"outcome": "approved", "version": 1}, page="/")
    assert response.status_code == 200
    saved.refresh_from_db()
    assert saved.review_status == "pending" and not saved.reviews.exists()
    queue = client.get("/review/").content.decode()
    assert "you: another pharmacist reviews it" in queue


def test_haz36_the_pharmacist_who_amended_a_plan_is_not_offered_approve_and_is_told_why(
    client_as, login, make_user, incomplete
):
    # An independent tester: the page offered "Approve" to the amendment's own pharmacist, and only the submit said no.
    client = client_as("pharmacist")
    fields = AMEND_IV | {"duration_hours": "5", "version": 1, "confirm_cautions": "on"}
    amended = client.submit(url(incomplete), fields, page=url(incomplete))
    assert amended.status_code == 302
    incomplete.refresh_from_db()
    page = client.get(url(incomplete)).content.decode()
    assert 'value="approved"' not in page and 'value="amended"' in page and 'value="declined"' in page
    assert "You amended this plan: another pharmacist approves the amendment (four eyes)." in page
    assert "You can amend it again or decline it." in page
    # A crafted Approve is refused at the Decision field, in words, and nothing is recorded.
    approve = {"outcome": "approved", "version": incomplete.version}
    forged = client.submit(url(incomplete), approve, page=url(incomplete))
    html = forged.content.decode()
    assert forged.status_code == 200 and "approved is not one of" not in html
    assert html.count("You amended this plan: another pharmacist approves the amendment") >= 2  # the help and the error
    incomplete.refresh_from_db()
    assert incomplete.review_status == "amended" and incomplete.reviews.count() == 1
    # Another pharmacist is offered Approve, without the note.
    other = login(make_user("p2", role="pharmacist")).get(url(incomplete)).content.decode()
    assert 'value="approved"' in other and "You amended this plan" not in other


def test_haz36_an_amended_plan_waits_in_the_queue_for_a_second_pharmacist(client_as, login, make_user, incomplete):
    # An independent tester: an amendment left the queue at once, so the plan the pharmacist wrote was never
    # checked by anyone, although the page said another pharmacist approves it.
    client = client_as("pharmacist")
    fields = AMEND_IV | {"duration_hours": "5", "version": 1, "confirm_cautions": "on"}
    assert client.submit(url(incomplete), fields, page=url(incomplete)).status_code == 302
    mine = re.sub(r"\s+", " ", client.get("/review/").content.decode())
    row = mine[mine.index(f"/review/{incomplete.pk}/") :].split("</tr>")[0]
    assert "Amended</span> IV magnesium (infusion): 5 g (20.3 mmol) over 5 h" in row
    assert "pharmacist (amended)" in row and "you: another pharmacist approves it" in row
    assert incomplete.patient.hospital_id in row  # two patients with one label are told apart
    record = f"/assessments/{incomplete.pk}/"
    page = client.get(record).content.decode()
    assert "the current plan, shown above; it awaits a second pharmacist's approval." in page
    second = login(make_user("p2", role="pharmacist"))
    theirs = re.sub(r"\s+", " ", second.get("/review/").content.decode())
    assert "awaits a second pharmacist" in theirs
    incomplete.refresh_from_db()
    approve = {"outcome": "approved", "version": incomplete.version}
    assert second.submit(url(incomplete), approve, page=url(incomplete)).status_code == 302
    assert f"/review/{incomplete.pk}/" not in second.get("/review/").content.decode()
    assert "awaits a second pharmacist" not in second.get(record).content.decode()


# --- The queue ------------------------------------------------------------------------------------------------------


def test_the_queue_shows_severity_by_colour_and_word_the_proposed_dose_and_the_wait(client_as, clinician, patient):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=3, minutes=10)):
        grade2 = save(clinician, patient, mg=(0.45, "mmol/L"))
    emergency = save(clinician, patient, mg=(0.45, "mmol/L"), symptoms=["seizure"])
    html = re.sub(r"[ \n]+", " ", client_as("pharmacist").get("/review/").content.decode())
    row = html[html.index(f"/review/{grade2.pk}/") :].split("</tr>")[0]
    assert 'sev-moderate"><span class="sev-mark" aria-hidden="true"></span>Moderate</span>' in row
    dose = grade2.output["plan"]["dose"]
    assert dose["grams_mgso4"] == 5 and dose["mmol"] == 20.3
    assert "IV magnesium (infusion): 5 g (20.3 mmol) over 3 h" in row
    assert "3\xa0hours, 10\xa0minutes" in row
    urgent = html[html.index(f"/review/{emergency.pk}/") :].split("</tr>")[0]
    assert 'sev-emergency"><span class="sev-mark" aria-hidden="true"></span>Emergency</span>' in urgent
    assert "then" in urgent
    assert html.index(f"/review/{emergency.pk}/") < html.index(f"/review/{grade2.pk}/")


# --- An amendment is the plan ---------------------------------------------------------------------------------------


def test_check_the_amendment_shows_its_rate_and_limit_without_recording_anything(client_as, incomplete):
    client = client_as("pharmacist")
    fields = AMEND_IV | {"duration_hours": "5", "version": 1, "check": "1"}
    html = client.submit(url(incomplete), fields, page=url(incomplete)).content.decode()
    assert "Amended plan, as checked" in html
    assert "Rate 17 mg/min of magnesium sulfate; limit 150 mg/min." in html
    assert not incomplete.reviews.exists()
    partial = client.submit(url(incomplete), fields, page=url(incomplete), HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('\n<div id="amendment-check"') or partial.lstrip().startswith('<div id="amendment-check"')
    assert "<html" not in partial


def test_haz34_an_amendment_faster_than_the_limit_is_refused_at_the_duration_with_a_comma_decimal(
    client_as, incomplete
):
    client = client_as("pharmacist")
    fields = AMEND_IV | {"duration_hours": "0,25", "version": 1, "confirm_cautions": "on"}
    html = client.submit(url(incomplete), fields, page=url(incomplete)).content.decode()
    # 0,25 is a quarter of an hour, never 25 hours.
    assert "333 mg/min is faster than the limit (at most 150 mg/min): give 5 g over at least 34 min." in html
    assert 'id="id_duration_hours"' in html and 'value="0,25"' in html
    assert not incomplete.reviews.exists()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("amount", "0", "Enter an amount above 0."),
        ("amount", "-1", "Enter an amount above 0."),
        ("volume_ml", "0,0", "Enter a volume above 0 mL."),
        ("duration_hours", "-0,5", "Enter a duration above 0 hours."),
        ("duration_hours", "500", "Enter a duration of at most 168 hours: is the figure a slip of the keyboard?"),
        ("doses_per_day", "0", "Enter a whole number of doses a day, from 1 to 6."),
        ("doses_per_day", "2,5", "Enter a whole number of doses a day, from 1 to 6."),
    ],
)
def test_a_zero_negative_or_absurd_figure_is_refused_in_words_at_its_field(
    client_as, incomplete, field, typed, message
):
    fields = AMEND_IV | {field: typed, "version": 1}
    html = client_as("pharmacist").submit(url(incomplete), fields, page=url(incomplete)).content.decode()
    assert message in html
    assert f'value="{typed}"' in html  # kept as typed
    assert "Ensure this value" not in html


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("duration_hours", "1,234.5", "“1,234.5” has both a point and a comma"),
        # Django's FloatField read "1,000" mL as 1 mL and "1e3" as 1000: the bedside form refuses both.
        ("volume_ml", "1,000", "Is “1,000” 1.000 or 1000?"),
        ("amount", "1e3", "“1e3” is not a number"),
        ("amount", "4 g", "“4 g” is not a number"),
        ("duration_hours", "nan", "“nan” is not a number"),
    ],
)
def test_a_number_that_reads_two_ways_or_not_at_all_is_refused_as_the_bedside_form_refuses_it(
    client_as, incomplete, field, typed, message
):
    fields = AMEND_IV | {field: typed, "version": 1}
    response = client_as("pharmacist").submit(url(incomplete), fields, page=url(incomplete))
    html = response.content.decode()
    assert response.status_code == 200  # not recorded
    assert message in html
    assert f'value="{typed}"' in html  # kept as typed
    assert "Enter a number." not in html


def test_haz34_an_amendment_is_recorded_once_its_cautions_are_confirmed_and_the_record_shows_it_as_the_plan(
    client_as, incomplete
):
    client = client_as("pharmacist")
    fields = {"outcome": "amended", "route": "oral", "mmol_per_day": "24", "doses_per_day": "3", "version": 1}
    unconfirmed = client.submit(url(incomplete), fields, page=url(incomplete)).content.decode()
    assert "Read the cautions of the amended plan, then tick to confirm it." in unconfirmed
    assert "The protocol&#x27;s route is IV magnesium (infusion), not oral magnesium" in unconfirmed
    done = client.submit(
        url(incomplete), fields | {"confirm_cautions": "on", "note": "Eating again."}, page=url(incomplete)
    )
    assert done.status_code == 302
    record = client_as("clinician").get(f"/assessments/{incomplete.pk}/").content.decode()
    current = record.index("Current plan</span> Pharmacist amendment: Oral magnesium")
    superseded = record.index("Superseded by pharmacist amendment")
    assert current < superseded  # the amended plan first, the original after it, labelled
    assert "24 mmol elemental Mg per day in 3 divided doses with food, i.e. 8 mmol three times daily" in record
    assert "Recheck Mg in 72 h on oral replacement." in record and "Eating again." in record
    reminders = incomplete.patient.reminders
    assert not reminders.filter(state=ReminderState.OPEN, code="recheck_mg_after_iv").exists()
    assert reminders.filter(state=ReminderState.OPEN, code="recheck_mg_oral", amendment__isnull=False).exists()
    download = client_as("clinician").get(f"/assessments/{incomplete.pk}/?format=json").json()
    assert download["amended_plan"]["route"] == "oral" and download["output"] == incomplete.output


def test_a_declined_plan_is_marked_on_the_ward_list_and_its_open_reminders(client_as, incomplete):
    # An independent tester: after a decline the ward list still showed "Recheck Mg 6 h after the end of this
    # infusion" for an infusion that was declined, and nothing said the plan was.
    fields = {"outcome": "declined", "reason_code": "other", "reason_text": "Not indicated today.", "version": 1}
    assert client_as("pharmacist").submit(url(incomplete), fields, page=url(incomplete)).status_code == 302
    clinician = client_as("clinician")
    open_reminders = incomplete.reminder_records.filter(state=ReminderState.OPEN)
    within_a_day = open_reminders.filter(due_at__lte=timezone.now() + dt.timedelta(hours=24))
    # The latest Mg line and each open reminder of the declined plan say so (the ward list shows the next 24 h).
    for page, shown in (("/ward/", within_a_day), (f"/patients/{incomplete.patient_id}/", open_reminders)):
        html = clinician.get(page).content.decode()
        assert html.count("plan declined by the pharmacist: re-assess") == 1 + shown.count(), page


def test_an_amendments_cautions_speak_a_clinicians_units_and_give_each_reason_once(client_as, clinician, patient):
    # An independent tester: "35 umol/L" in an amendment's cautions, and its reason line printed twice.
    now = timezone.now()
    child = payload(
        patient={"age_years": 6, "weight_kg": 20, "sex": "male"},  # no height: renal function unknown
        mg=(0.6, "mmol/L"),
        labs={"creatinine": {"value": 35, "unit": "umol/L"}},
        transplant=transplant_of(patient, now),
    )
    child["patient"].pop("height_cm", None)
    saved = services.assessment_save(user=clinician, patient=patient, data=child, sample_time=now)
    fields = {"outcome": "amended", "route": "iv", "amount": "3,9", "amount_unit": "mmol", "volume_ml": "50"}
    fields |= {"duration_hours": "3", "version": 1, "check": "1"}
    html = client_as("pharmacist").submit(url(saved), fields, page=url(saved)).content.decode()
    check = html[html.index('<div id="amendment-check"') :].split("</fieldset>")[0]
    assert "First dose only, at full strength" in check
    assert "35 µmol/L" in check and "umol/L" not in check
    assert check.count("but height is not, so the bedside Schwartz eGFR cannot be computed") == 1


def test_reviewing_an_older_plan_says_a_newer_one_exists_and_links_to_it(client_as, clinician, patient):
    # An independent tester: the queue listed a patient's older oral plan and newer IV plan alike, and the older one
    # offered Approve with nothing saying a newer plan had replaced it.
    older = save(clinician, patient, mg=(0.62, "mmol/L"))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        newer = save(clinician, patient, mg=(0.3, "mmol/L"))
    pharmacist = client_as("pharmacist")
    queue = re.sub(r"\s+", " ", pharmacist.get("/review/").content.decode())
    older_row = queue[queue.index(f"/review/{older.pk}/") :].split("</tr>")[0]
    newer_row = queue[queue.index(f"/review/{newer.pk}/") :].split("</tr>")[0]
    assert "a newer assessment exists" in older_row and "a newer assessment exists" not in newer_row
    page = pharmacist.get(url(older)).content.decode()
    assert "A newer assessment of this patient exists" in page and f'href="/review/{newer.pk}/"' in page
    assert "A newer assessment of this patient exists" not in pharmacist.get(url(newer)).content.decode()

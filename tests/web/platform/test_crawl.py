"""No page answers 5xx, to anyone: every page linked from the navigation, the pages those link to, and one more
level (navigation -> list -> record: a saved plan is two clicks below "Patients"), for each persona, over the demo
data (`records/demo.py`: plans amended, incomplete, declined, superseded, saved under rule set 2026.1, saved by the
pharmacist, an emergency). The browser's walk of the same pages is in tests/e2e/test_journeys.py."""

from __future__ import annotations

import io
import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

from assessments.models import Patient, Reminder, Review, SavedAssessment
from tests.conftest import BACKEND, Browser

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "trainee", "clinician", "pharmacist", "admin")
HREF = re.compile(r'href="([^"]+)"')
NAV = re.compile(r'<nav aria-label="Site">(.*?)</nav>', re.S)
# Not pages: assets, and the admin's filters and sort orders (the same changelist again, hundreds of times).
SKIP = re.compile(r"^/static/|^/admin/.*[?]|^/admin/logout/|^/admin/r/|/delete/$|/history/$|/password/$")
DEPTH = 3


def links(html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        url = urldefrag(unescape(href))[0]
        if url.startswith("/") and not url.startswith("//") and not SKIP.search(url):
            found.append(url)
    return found


def crawl(client: Browser) -> dict[str, int]:
    """Breadth first from the navigation of the bedside page, DEPTH levels deep; each URL once: url -> status."""
    home = client.get("/")
    seen: dict[str, int] = {"/": home.status_code}
    level = links(NAV.search(home.content.decode()).group(1))
    for _ in range(DEPTH):
        following = []
        for url in dict.fromkeys(level):
            if url in seen:
                continue
            response = client.get(url)
            seen[url] = response.status_code
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                following += links(response.content.decode())
        level = following
    return seen


@pytest.mark.parametrize("persona", PERSONAS)
def test_haz30_no_page_answers_5xx_to_anyone(demo_records, persona):
    client = Browser()
    if persona != "anonymous":
        client.force_login(demo_records[persona], backend=BACKEND)
    statuses = crawl(client)
    broken = {url: status for url, status in statuses.items() if status >= 500}
    assert not broken, broken
    # The walk reached what each persona works on (a crawl that sees nothing proves nothing).
    expected = {
        "anonymous": ["/rules/", "/references/", "/about/"],
        "trainee": ["/teaching/"],
        "clinician": ["/patients/", "/ward/"],
        "pharmacist": ["/review/"],
        "admin": ["/audit/", "/admin/", "/admin/assessments/patient/"],
    }[persona]
    assert set(expected) <= set(statuses), sorted(statuses)
    if persona in ("clinician", "pharmacist"):
        # Every demo patient's page and every saved plan of theirs, amended and 2026.1 ones included.
        for patient in Patient.objects.filter(assessments__isnull=False).distinct():
            assert statuses.get(f"/patients/{patient.pk}/") == 200, patient
        for saved in SavedAssessment.objects.all():
            assert statuses.get(f"/assessments/{saved.pk}/") == 200, saved
    if persona == "pharmacist":
        for saved in SavedAssessment.objects.filter(review_status="pending"):
            assert statuses.get(f"/review/{saved.pk}/") == 200, saved


def test_the_demo_has_every_kind_of_plan_the_crawl_must_survive(demo_records):
    outputs = [s.output for s in SavedAssessment.objects.all()]
    missing = {path for output in outputs for path in output["missing"]}
    assert {"ecg.qtc_ms", "labs.calcium_ionized", "patient.height_cm"} <= missing
    assert Review.objects.filter(outcome="amended", amended_plan__isnull=False).exists()
    assert Review.objects.filter(outcome="declined").exists()
    assert Reminder.objects.filter(state="superseded", superseded_by_amendment__isnull=False).exists()
    assert Reminder.objects.filter(state="superseded", superseded_by__isnull=False).exists()
    assert SavedAssessment.objects.filter(ruleset="2026.1").count() == 2
    assert SavedAssessment.objects.filter(clinical_severity="emergency", review_status="pending").exists()
    assert SavedAssessment.objects.filter(author=demo_records["pharmacist"], review_status="pending").exists()
    # Running the demo set-up again (every `make run`) adds nothing.
    count = SavedAssessment.objects.count()
    call_command("demo_setup", stdout=io.StringIO())
    assert SavedAssessment.objects.count() == count


def test_haz38_a_2026_1_plan_is_shown_as_2026_1_said_it(demo_records, client_as):
    saved = SavedAssessment.objects.filter(ruleset="2026.1").first()
    client = Browser()
    client.force_login(demo_records["clinician"], backend=BACKEND)
    page = client.get(f"/assessments/{saved.pk}/").content.decode()
    assert "Saved under rule set 2026.1." in page and "HypoMag rule set 2026.1" in page
    # 2026.1's own words, not 2026.2's re-rendering of the same input.
    assert saved.output["plan"]["dose"]["text"] in unescape(page)
    reassess = client.get(f"/assessments/{saved.pk}/reassess/").content.decode()
    assert "Saved (2026.1)" in reassess and "Current rules (2026.2)" in reassess
    assert urlsplit(f"/assessments/{saved.pk}/reassess/").path in page


def test_haz38_the_queue_and_the_review_page_name_an_older_rule_set(demo_records):
    saved = SavedAssessment.objects.filter(ruleset="2026.1", review_status="pending").first()
    client = Browser()
    client.force_login(demo_records["pharmacist"], backend=BACKEND)
    queue = client.get("/review/").content.decode()
    row = queue[queue.index(f"/review/{saved.pk}/") :].split("</tr>")[0]
    assert "rule set 2026.1" in row
    review = client.get(f"/review/{saved.pk}/").content.decode()
    assert "Saved under rule set 2026.1." in review and "Compare with rule set 2026.2" in review


# A figure the output does not hold (a plan saved under 2026.1 has no pump rate, no rate limit, no dose per tablet
# and no weight field) must leave its words out, not print the unit alone: "pump at mL/h", "at most mg/min".
ACTION = re.compile(r'<section class="action[^"]*" aria-label="What to do now">(.*?)</section>', re.S)
UNIT_WITHOUT_NUMBER = re.compile(r"(?<![\d.])\s(?:mL/h|mg/min|mmol/kg|mmol a dose|mmol|kg|g)\b(?![/\w])|×\s*\)|–\s")


def words_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_every_saved_plan_states_each_amount_with_its_number(demo_records):
    client = Browser()
    client.force_login(demo_records["pharmacist"], backend=BACKEND)
    checked = 0
    for saved in SavedAssessment.objects.all():
        for url in (f"/assessments/{saved.pk}/", f"/review/{saved.pk}/"):
            response = client.get(url)
            if response.status_code != 200:
                continue
            for block in ACTION.findall(response.content.decode()):
                text = words_of(block)
                assert not UNIT_WITHOUT_NUMBER.search(text), (url, saved.ruleset, text)
                checked += 1
    # Both 2026.1 plans were among them (their outputs lack the 2026.2 dose fields).
    assert checked >= SavedAssessment.objects.count()


MACHINE_WORD = re.compile(
    r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"
    r"|\b(?:patient|transplant|labs|ecg|gi|nutrition|medications|immunosuppressants|symptoms|conditions)\.[a-z0-9_.]+"
)
MAIN = re.compile(r"<main\b.*?</main>", re.S)


def test_every_saved_plan_is_in_words_a_person_uses(demo_records):
    # An independent tester found "loop_diuretic" under a cause of a plan saved under 2026.1 (which named causes
    # by their id): shown in plain words, as 2026.2 writes them.
    # A second tester saw "umol/L" in a reminder's reasons beside "µmol/L" in the plan: units as a clinician writes
    # them, on every page that shows a plan or its reminders.
    client = Browser()
    client.force_login(demo_records["pharmacist"], backend=BACKEND)
    micromolar = 0
    urls = [f"/patients/{patient.pk}/" for patient in Patient.objects.all()] + ["/ward/"]
    for saved in SavedAssessment.objects.all():
        urls += [f"/assessments/{saved.pk}/", f"/review/{saved.pk}/"]
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        text = words_of(MAIN.search(response.content.decode()).group(0))
        assert not MACHINE_WORD.search(text), (url, MACHINE_WORD.search(text).group(0))
        assert "umol/L" not in text, (url, text[max(text.index("umol/L") - 200, 0) : text.index("umol/L") + 20])
        micromolar += "µmol/L" in text
    assert micromolar  # the demo's creatinines were on some of these pages


@pytest.mark.parametrize("name", ["assessment-save", "login-keep", "patient-create-from-assessment", "logout"])
def test_an_address_that_only_answers_a_form_opened_on_its_own_says_so(client_as, name):
    # An independent tester opened /whatif/ from history: Django's empty 405, a blank page at the bedside.
    from django.urls import reverse

    response = client_as("clinician").get(reverse(name))
    assert response.status_code == 405 and "POST" in response["Allow"]
    page = response.content.decode()
    assert "This address answers a form" in page and 'href="/"' in page


def test_a_machine_address_keeps_its_json_405(client):
    response = client.get("/api/v1/assessments")
    assert response.status_code == 405 and "This address answers a form" not in response.content.decode()

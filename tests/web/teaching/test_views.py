"""Teaching pages through the test client: who may open them, predict-then-reveal, the history, the facilitator
view, what-if with and without htmx (and from the bedside page), and /rules/ read from the engine's constants."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from assessments.bedside.form_mapping import input_to_form
from assessments.clinical import (
    calculators,
    causes,
    dose,
    ecg,
    electrolytes,
    interactions,
    plausibility,
    reminders,
    renal,
    route,
    severity,
)
from assessments.clinical.inputs import Med
from assessments.clinical.units import Unit
from assessments.clinical.wording import plain
from assessments.models import TeachingAttempt
from assessments.selectors import demo_case_list
from assessments.teaching.cases import teaching_case_get, teaching_case_list
from assessments.teaching.marking import MONITORING_CHOICES

T01 = "T01_adult_tacrolimus_grade1_oral"
T07 = "T07_adult_tetany_grade4_foscarnet"
T09 = "T09_child_6y_cyclosporine_grade1_oral"
RIGHT_T07 = {"grade": "4", "cause": "cni_tacrolimus", "route": "iv_urgent", "monitoring": "continuous_ecg"}

TEACHING_URLS = [
    reverse("teaching-list"),
    reverse("teaching-history"),
    reverse("teaching-case", args=[T01]),
    reverse("teaching-present", args=[T01]),
]


def reveal(client, name: str, answers: dict):
    """Submit the case page's answers, as its form does (with the page's CSRF token)."""
    url = reverse("teaching-case", args=[name])
    return client.submit(url, answers, page=url)


def text(response) -> str:
    """The page's words without tags, so assertions read like what a user sees."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.mark.parametrize("url", TEACHING_URLS)
@pytest.mark.parametrize("role", ["trainee", "clinician", "pharmacist"])
def test_teaching_pages_open_for_the_teaching_roles(client_as, role, url):
    assert client_as(role).get(url).status_code == 200


@pytest.mark.parametrize("url", TEACHING_URLS)
def test_anonymous_users_are_sent_to_sign_in(client_as, url):
    response = client_as("anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", TEACHING_URLS)
def test_an_administrator_without_a_teaching_role_gets_403(client_as, url):
    response = client_as("admin").get(url)
    assert response.status_code == 403
    assert "trainee" in text(response)


@pytest.mark.parametrize("case", teaching_case_list(), ids=lambda c: c.code)
def test_every_case_asks_and_then_reveals_with_the_engines_answers(client_as, case):
    client = client_as("clinician")
    page = reverse("teaching-case", args=[case.name])
    assert client.get(page).status_code == 200
    revealed = client.submit(page, {}, page=page)
    assert revealed.status_code == 200
    assert "HypoMag's answers (you answered none)" in text(revealed)


def test_an_unknown_case_is_404(client_as):
    assert client_as("trainee").get(reverse("teaching-case", args=["T99_nothing"])).status_code == 404


def test_the_list_filters_by_population_and_ignores_unknown_values(client_as):
    client = client_as("trainee")
    children = text(client.get(reverse("teaching-list"), {"population": "pediatric"}))
    assert "T09:" in children and "T01:" not in children
    everything = text(client.get(reverse("teaching-list"), {"population": "martian"}))
    assert "T09:" in everything and "T01:" in everything


def test_the_case_page_asks_before_it_reveals(client_as):
    page = text(client_as("trainee").get(reverse("teaching-case", args=[T07])))
    assert "carpopedal spasm" in page
    assert "What is the CTCAE grade of hypomagnesemia?" in page
    # Nothing of the engine's answer before the trainee commits.
    assert "Clinical severity" not in page and "Teaching point" not in page


def test_reveal_marks_each_answer_with_the_reason_and_shows_the_full_result(client_as):
    response = reveal(client_as("trainee"), T07, {**RIGHT_T07, "cause": "foscarnet"})
    page = text(response)
    assert "Your answers: 3 of 4 right" in page
    assert "Not right. Your answer: Foscarnet" in page
    assert "HypoMag: Tacrolimus (renal Mg wasting)" in page
    assert "Mg 0.25 mmol/L is below 0.3 mmol/L: CTCAE grade 4" in page  # the reason, from the engine
    assert "What to do now" in page and "Follow the local emergency protocol now" in page  # the full result
    assert teaching_case_get(name=T07).teaching_point in response.content.decode()
    assert 'name="variation"' in response.content.decode()  # the what-if panel


def test_a_trainees_answers_are_kept(client_as):
    reveal(client_as("trainee"), T07, RIGHT_T07)
    attempt = TeachingAttempt.objects.get()
    assert attempt.case_name == T07
    assert attempt.answers == RIGHT_T07
    assert attempt.marks == {"grade": True, "cause": True, "route": True, "monitoring": True}


def test_a_clinicians_answers_are_marked_but_not_kept(client_as):
    response = reveal(client_as("clinician"), T07, RIGHT_T07)
    assert "4 of 4 right" in text(response)
    assert not TeachingAttempt.objects.exists()


def test_revealing_without_answering_keeps_nothing(client_as):
    response = reveal(client_as("trainee"), T07, {})
    # Not "0 of 4 right" for a reveal with nothing answered (an independent tester): nothing was wrong.
    assert "HypoMag's answers (you answered none)" in text(response) and "0 of 4 right" not in text(response)
    assert not TeachingAttempt.objects.exists()
    assert "Your answers: 1 of 4 right" in text(reveal(client_as("trainee"), T07, {"grade": "4"}))


def test_the_history_shows_cases_tried_answers_right_per_question_and_topics_covered(client_as):
    client = client_as("trainee")
    reveal(client, T07, RIGHT_T07)
    reveal(client, T09, {"grade": "2", "route": "oral"})
    words = text(client.get(reverse("teaching-history")))
    assert "2 cases tried, 2 attempts" in words
    # Each answer under its own question: T07's grade right, T09's grade wrong (it is grade 1); T09's blank cause
    # and monitoring are not answers (a tester's T09 counted "Causes 1 right of 2" with the cause left blank).
    assert "CTCAE grade 1 2" in words and "Route 2 2" in words
    assert "Leading cause 1 1" in words and "First monitoring step 1 1" in words
    # The attempts list names the questions as the table does.
    assert "Leading cause not answered" in words and "First monitoring step not answered" in words
    # Topics: how many of their cases were tried, of how many in the library (no score for a topic no question asks).
    library = teaching_case_list()
    emergencies = sum("urgent" in case.topics for case in library)
    assert f"Emergencies 1 {emergencies}" in words  # only T07 is an emergency
    dose = sum("dose" in case.topics for case in library)
    assert f"Dose 2 {dose}" in words
    # The reveal says so too, not "Not right. Your answer: Not answered." (a second tester).
    revealed = text(reveal(client, T09, {"grade": "2"}))
    assert "Not answered. HypoMag:" in revealed and "Your answer: Not answered" not in revealed


def test_the_history_belongs_to_its_trainee(client_as, make_user, login):
    reveal(client_as("trainee"), T07, RIGHT_T07)
    client = login(make_user("other-trainee", role="trainee"))
    assert "No answers yet" in text(client.get(reverse("teaching-history")))


def test_the_facilitator_view_reveals_one_part_per_step(client_as):
    client = client_as("clinician")
    url = reverse("teaching-present", args=[T07])
    first = client.get(url).content.decode()
    assert first.count("Hidden until reveal") == 4
    assert 'rel="next" href="?step=1#part-1"' in first
    second = text(client.get(url, {"step": "1"}))
    assert second.count("Hidden until reveal") == 3
    assert "Grade 4" in second
    last = client.get(url, {"step": "99"})  # clamped to the last part
    assert "Hidden until reveal" not in text(last)
    assert "Teaching point" in text(last) and 'rel="next"' not in last.content.decode()
    assert "/static/js/teaching.js" in last.content.decode()


def whatif_post(client, data: dict, variation: str = "", **headers):
    payload = {"input": json.dumps(data)} | ({"variation": variation} if variation else {})
    return client.submit(reverse("whatif"), payload, **headers)


def test_whatif_without_htmx_is_a_whole_page_with_the_change_marked(client):
    response = whatif_post(client, teaching_case_get(name=T01).input, "add_diarrhea")
    page = text(response)
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "Changed: diarrhea 0 -> 1000 mL/day" in page
    assert re.search(r"Route Oral magnesium IV magnesium \(infusion\) Changed", page)
    assert re.search(r"CTCAE grade 1 1 Same", page)
    assert "no-store" in response["Cache-Control"]


def test_whatif_with_htmx_is_only_the_panel(client):
    response = whatif_post(client, teaching_case_get(name=T01).input, "make_child", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and body.strip().startswith('<section id="whatif"')
    assert "0.2 mmol/kg" in body
    assert "HX-Request" in response["Vary"]


def test_whatif_without_a_variation_offers_the_changes(client):
    page = text(whatif_post(client, teaching_case_get(name=T09).input))
    assert "Swap cyclosporine for tacrolimus" in page
    assert "Make the patient a 20 kg child" not in page  # already a child


def test_whatif_refuses_bad_input_and_unknown_changes(client):
    assert client.submit(reverse("whatif"), {"input": "{not json"}).status_code == 400
    assert whatif_post(client, {"patient": {}}).status_code == 400
    assert whatif_post(client, teaching_case_get(name=T09).input, "make_child").status_code == 400
    # An address typed or bookmarked has no input to vary: to the bedside page, not a blank 405.
    got = client.get(reverse("whatif"))
    assert got.status_code == 302 and got["Location"] == reverse("assess")


def test_whatif_goes_back_to_the_assessment_with_everything_as_entered(client):
    # Without JavaScript the what-if page is the answer to a POST: the browser's Back asks to resend it
    # (ERR_CACHE_MISS), so the page carries its own way back, the bedside form's fields for this input.
    data = teaching_case_get(name=T09).input
    page = whatif_post(client, data, "swap_cni").content.decode()
    back = page.split('action="/"', 1)[1].split("</form>", 1)[0]
    posted: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', back):
        if name != "csrfmiddlewaretoken":
            posted.setdefault(name, []).append(html.unescape(value))
    assert {k: v if isinstance(v, list) else [v] for k, v in input_to_form(data).items()} == posted
    returned = client.submit(reverse("assess"), posted, page=reverse("assess"))
    assert returned.status_code == 200
    original = client.submit(reverse("assess"), input_to_form(data), page=reverse("assess"))
    assert returned.context["output"] == original.context["output"]


def test_whatif_reports_a_change_that_leaves_the_accepted_range(client):
    data = teaching_case_get(name=T01).input | {
        "immunosuppressants": [{"drug": "cyclosporine", "trough": {"value": 2000, "unit": "ng/mL"}}]
    }
    response = whatif_post(client, data, "swap_cni")  # 2000 / 20 = 100 ng/mL of tacrolimus: above 60
    assert response.status_code == 200
    assert "outside what HypoMag accepts" in text(response)


def test_the_bedside_result_offers_whatif_and_its_fields_reach_the_whatif_view(client):
    page = client.get("/?example=V1_adult_allo_d10_tacrolimus_mucositis_grade1").content.decode()
    start = page[page.index('class="whatif-start') :]
    start = start[: start.index("</div>")]
    # The bedside form itself is sent (each value once on the page): by htmx, or without JS by a submit button.
    assert 'hx-include=".assessment-form"' in start
    assert 'form="assessment-form" formaction="/whatif/"' in start
    assert "<input" not in start
    demo = next(case for case in demo_case_list() if case.name.startswith("V1_"))
    response = client.submit(reverse("whatif"), input_to_form(demo.input) | {"variation": "halve_renal"})
    assert response.status_code == 200
    # V1: female, 45 y, creatinine 80 umol/L -> 160 umol/L.
    assert "serum creatinine 80 -> 160 µmol/L" in text(response)


RULE_FAMILIES = (
    "units",
    "severity",
    "route",
    "dose",
    "renal",
    "femg",
    "electrolytes",
    "qtc",
    "interactions",
    "causes",
    "reminders",
)


def test_rules_is_public_and_shows_the_engine_thresholds(client):
    response = client.get(reverse("rules"))
    page = text(response)
    assert response.status_code == 200
    for (mmol, grade), (mgdl, _) in zip(
        severity.CTCAE_BANDS[Unit.MMOL_L], severity.CTCAE_BANDS[Unit.MG_DL], strict=True
    ):
        assert f"{grade} < " in page and f">= {mmol:g}" in page and f">= {mgdl:g}" in page
    for spec in causes.CAUSES.values():
        assert spec.label in page
    for spacing in interactions.ORAL_SPACING.values():
        assert spacing.advice in page
    assert f"{dose.ADULT_IV_GRADE_2_4.grams:g} g MgSO4" in page
    for family in RULE_FAMILIES:
        assert f'id="{family}"' in response.content.decode()


def test_rules_shows_what_rule_set_2026_2_added(client):
    page = text(client.get(reverse("rules")))
    # Section 2.1: every kind of unit check with its band (default LLN and ULN).
    for kind in (plausibility.P1, plausibility.P1B, plausibility.P2, plausibility.P3, plausibility.SITE):
        assert f" {kind} " in page
    assert f"mmol/L above {severity.ULN_MMOL_L:.2f} and below {severity.DEFAULT_LLN[Unit.MG_DL]:.2f}" in page
    assert f"more than {plausibility.STALE_AFTER_HOURS} h old" in page
    # Section 5: children's per-kg IV dose with its caps by age, and the rate limits.
    assert f"0.2 mmol/kg, at most {dose.CHILD_IV_UNDER_12.cap_mmol:g} mmol" in page
    assert f"0.2 mmol/kg, at most {dose.CHILD_IV_12_17.cap_mmol:g} mmol" in page
    assert (
        f"at most {dose.CHILD_MAX_RATE_MG_KG_MIN} mg/kg/min and never above {dose.MAX_ADULT_RATE_MG_MIN} mg/min" in page
    )
    assert "the local emergency protocol sets the rate" in page
    # Renal: the sex-not-given rule and the formulas with their own sources.
    assert "sex not given" in page and "lower value used" in page
    for source in (*calculators.CG_SOURCES, *calculators.CKD_EPI_SOURCES, *calculators.SCHWARTZ_SOURCES):
        assert source in page
    assert f"label cap {renal.SEVERE_RENAL_CAP_G_PER_48H} g per 48 h" in page
    # Section 6: calcium now, digoxin, the ECG and check-now reminders.
    assert "give IV calcium now" in page
    assert "risk of digoxin toxicity" in page
    assert f"Mg < {electrolytes.MG_ECG_NOW_MMOL_L:.2f} mmol/L or K < {electrolytes.K_SEVERE_LOW_MMOL_L:.1f}" in page
    # Section 8: tacrolimus on the QT list; section 12: digoxin spacing and first-degree AV block.
    assert "Tacrolimus whatever its route; keep it and check its level" in page
    assert "Digoxin keep 2-3 h apart" in page
    assert "First-degree AV block alone" in page
    # Section 13: the new reminders.
    for reminder in ("ecg_now", "check_k_and_ca_now", "redraw_mg_after_iv"):
        assert MONITORING_CHOICES[reminder] in page


def test_rules_names_things_in_plain_words_not_ids(client):
    page = text(client.get(reverse("rules")))
    # No machine id (azole_antifungal, iv_urgent, grade_2_or_worse, recheck_k ...) and no bare route id "iv".
    assert re.findall(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", page) == []
    assert re.findall(r"\biv\b", page) == []
    for drug in ecg.QT_PROLONGING_DRUGS:
        assert plain(drug).capitalize() in page
    assert "Diarrhea or gut GVHD" in page and "Critical QTc" in page


def test_rules_cannot_drift_from_the_constants(client, monkeypatch):
    # Change a constant the engine uses: the page follows, because it reads the constant, not a copy.
    monkeypatch.setattr(
        severity,
        "CTCAE_BANDS",
        {Unit.MMOL_L: ((0.55, 1), (0.4, 2), (0.3, 3)), Unit.MG_DL: ((1.3, 1), (0.9, 2), (0.7, 3))},
    )
    monkeypatch.setattr(causes, "TACROLIMUS_BONUS", 7)
    monkeypatch.setattr(dose, "CHILD_IV_12_17", dose.PerKgRegimen(0.2, 18, ("S38", "S39"), hours=3))
    monkeypatch.setattr(dose, "CHILD_MAX_RATE_MG_KG_MIN", 9)
    monkeypatch.setattr(plausibility, "STALE_AFTER_HOURS", 36)
    monkeypatch.setattr(renal, "SEVERE_RENAL_CAP_G_PER_48H", 17)
    monkeypatch.setattr(calculators, "SCHWARTZ_K", 0.42)
    monkeypatch.setattr(electrolytes, "IONIZED_CA_LOW_MMOL_L", 1.1)
    monkeypatch.setattr(reminders, "RECHECK_K_URGENT_HOURS", 4)
    monkeypatch.setattr(ecg, "QT_PROLONGING_DRUGS", (Med.METHADONE,))
    monkeypatch.setitem(route.REASON_SOURCES, "qtc_critical", ("S91",))
    page = text(client.get(reverse("rules")))
    assert "< LLN and >= 0.55" in page and "< 0.55 and >= 0.4" in page
    assert "Tacrolimus +7" in page
    # The children's cap binds from 12 years (and the halved cap follows it); the mg/kg/min limit.
    assert "0.2 mmol/kg, at most 18 mmol" in page and "at most 9 mmol" in page
    assert "at most 9 mg/kg/min" in page
    assert "more than 36 h old" in page
    assert "label cap 17 g per 48 h" in page
    assert "0.42 x height cm" in page
    assert "ionized Ca < 1.10 mmol/L" in page
    assert "at most 4 with K <" in page
    assert "Methadone" in page and "Ondansetron" not in page
    assert "Critical QTc QTc >= 500 ms: an oral course is too slow S91" in page


def test_the_live_bedside_result_offers_whatif_without_a_form_of_its_own(client):
    # The htmx fragment carries a button that sends the bedside form itself (hx-include), not a second form.
    demo = next(case for case in demo_case_list() if case.name.startswith("V1_"))
    fragment = client.submit("/", input_to_form(demo.input), HTTP_HX_REQUEST="true").content.decode()
    assert "<form" not in fragment
    assert 'hx-include=".assessment-form"' in fragment

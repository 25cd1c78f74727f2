"""The result, action first (issue 14): "What to do now" leads, each caution appears once, the one caution that
changes what to do now is in it, a gate (heart block) is on the Give line, a child's dose names its weight, times
are clock times, missing inputs link to their fields, and no machine word reaches the text.

Through the bedside page (the Django test client) and through `assessments.result` directly.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from html.parser import HTMLParser

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments.bedside.form_mapping import input_to_form
from assessments.result import CAUTION_ORDER, result_view, wait_words
from assessments.selectors import demo_case_list
from assessments.services import assessment_run
from tests.builders import payload, run

CASES = {case.name: case for case in demo_case_list()}
V8 = "V8_adult_allo_d12_torsades_qtc520_grade2_emergency"
# A machine id on screen: a snake_case word, a contract path, or the ASCII spellings the engine uses internally.
MACHINE_WORD = re.compile(
    r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"
    r"|\b(?:patient|transplant|labs|gi|nutrition|ecg|magnesium_therapy|site|immunosuppressants|medications|conditions"
    r"|symptoms)\.[a-z0-9_.]+"
    r"|\biv\b|\bumol/L\b|\bug/L\b|\bmgdl\b|\bgrade\d"
)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text a person can see on screen: no scripts or styles, nothing in <noscript> or under [hidden], and of a
    closed <details> only its <summary>. (CSS is not read: print-only parts count.)"""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its content)

    def _hidden(self) -> bool:
        for index, (tag, hides) in enumerate(self.stack):
            if not hides:
                continue
            closed_summary = tag == "details" and index + 1 < len(self.stack) and self.stack[index + 1][0] == "summary"
            if not closed_summary:
                return True
        return False

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        hides = tag in ("script", "style", "noscript", "template") or "hidden" in a
        self.stack.append((tag, hides or (tag == "details" and "open" not in a)))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", unescape(" ".join(parser.parts)))


def page(client, data: dict) -> str:
    response = client.submit(reverse("assess"), input_to_form(data))
    assert response.status_code == 200
    assert response.context["output"] is not None, response.context["form"].errors
    return response.content.decode()


def result_html(html: str) -> str:
    return html.split('<section id="result"', 1)[1]


def action_block(html: str) -> str:
    return html.split('aria-label="What to do now"', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_what_to_do_now_comes_first_and_each_caution_once(client, name):
    html = page(client, CASES[name].input)
    output = assessment_run(data=CASES[name].input).output
    result = result_html(html)

    # On screen, the first thing in the result is "What to do now" (the handover's heading is for paper only).
    first_section = re.search(r"<section class=\"([^\"]+)\"", result).group(1)
    assert first_section.startswith("action "), first_section
    assert result.index("What to do now") < min(
        (result.index(escape(w["text"])) for w in output["warnings"] if escape(w["text"]) in result), default=10**9
    )
    # Each caution and each step once in the whole page (the unit check beside the field is a table of readings).
    for item in output["warnings"] + output["plan"]["steps"]:
        assert html.count(escape(item["text"]).replace("umol/L", "µmol/L")) <= 1, item["id"]
    # The severity as a word, and no machine id in what a person reads.
    assert re.search(r'<span class="sev-badge sev-[a-z]+"><span class="sev-mark" aria-hidden="true"></span>\w', html)
    assert MACHINE_WORD.findall(visible_text(html)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_what_to_do_now_is_short(client, name):
    block = visible_text(action_block(page(client, CASES[name].input)))
    # Generous here (the "Why" summary of a caution counts); tests/e2e counts the words as rendered.
    assert len(block.split()) <= 150, block


@pytest.mark.django_db
def test_haz44_the_deciding_caution_is_in_what_to_do_now_and_shown_once(client):
    # 1.5 mmol/L may be a mg/dL value: the unit check decides whether to give anything, so it is the caution.
    html = page(client, payload(mg=(1.5, "mmol/L")))
    text = "Unit check: Mg 1.5 mmol/L (above the ULN)"
    assert text in action_block(html) and html.count(text) == 1

    # A real low mg/dL value (V8) gets its unit check last: a note, not the caution; the QTc is.
    view = result_view(assessment_run(data=CASES[V8].input).output, now=timezone.now())
    assert view.caution["id"] == "qtc_critical"
    assert any(w["id"] == "unit_check" for w in view.warnings)


@pytest.mark.django_db
def test_haz44_heart_block_gates_the_infusion_on_the_give_line(client):
    html = page(client, payload(mg=(0.45, "mmol/L"), conditions=["heart_block"]))
    block = action_block(html)

    give = block.split("<dt>Give</dt>", 1)[1].split("</dd>", 1)[0]
    assert '<strong class="gate">Only after senior review (heart block):</strong>' in give
    # The senior-review step is the caution, and its twin warning is not repeated in the details.
    assert "senior review before this infusion" in block
    assert "iv_mg_caution" not in html
    output = run(mg=(0.45, "mmol/L"), conditions=["heart_block"])
    twin = next(w for w in output["warnings"] if w["id"] == "iv_mg_caution" and not w["drug"])
    assert escape(twin["text"]) not in html


@pytest.mark.django_db
def test_an_urgent_follow_on_after_heart_block_says_it_waits_for_senior_review(client):
    block = action_block(page(client, payload(mg=(0.45, "mmol/L"), symptoms=["torsades"], conditions=["heart_block"])))

    then = block.split("<dt>Then</dt>", 1)[1].split("</dd>", 1)[0]
    assert then.strip().startswith('<dd><strong class="gate">Only after senior review (heart block):</strong>')
    assert "the emergency team decides on the bolus" in block


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in sorted(CASES) if "emergency" in n or "seizure" in n])
def test_an_urgent_result_never_says_before_acting(client, name):
    block = action_block(page(client, CASES[name].input))
    assert "before acting" not in block
    assert "Follow the local emergency protocol now" in block


@pytest.mark.django_db
def test_haz48_a_childs_dose_shows_the_weight_it_used_in_what_to_do_now(client):
    name = "V4_child_cord_d21_seizure_foscarnet_high_tacrolimus_grade4"
    block = action_block(page(client, CASES[name].input))
    # The emergency's reference line names mmol and g; the Give line adds the per-kg rule and the weight used.
    assert '0.2 mmol/kg × <strong class="dose-weight">14 kg</strong>' in block
    assert '<strong class="pump-rate">27.6 mL/h</strong>' in block


@pytest.mark.django_db
def test_an_oral_dose_says_how_often_in_what_to_do_now_and_the_summary(client):
    # A tester: a 12.5 kg child's "Give" line and the phone's summary read "2.5 mmol Mg a dose (0.2 mmol/kg ×
    # 12.5 kg)"; "three times daily" was only in the plan's steps, folded away.
    child = payload(mg=(0.6, "mmol/L"), patient={"age_years": 4, "weight_kg": 12.5})
    output = run(mg=(0.6, "mmol/L"), patient={"age_years": 4, "weight_kg": 12.5})
    assert output["plan"]["route"] == "oral" and output["plan"]["dose"]["doses_per_day"] == 3
    assert "three times daily" in output["plan"]["dose"]["text"]  # the engine's own words for the same field
    html = page(client, child)
    assert "a dose, three times daily (0.2 mmol/kg" in visible_text(action_block(html))
    summary = html.split('id="result-summary"', 1)[1].split("</div>", 1)[0]
    assert "2.5 mmol a dose three times daily, for 12.5 kg" in visible_text(summary)
    adult = visible_text(action_block(page(client, payload(mg=(0.6, "mmol/L")))))
    assert "mmol a dose three times daily" in adult
    # And in the pharmacist's queue (a second tester: "Oral magnesium: 4 mmol per dose").
    queue_line = render_to_string("records/_proposed_dose.html", {"plan": output["plan"]})
    assert queue_line.strip() == "Oral magnesium: 2.5 mmol per dose three times daily"


@pytest.mark.django_db
def test_the_pump_rate_the_rate_and_its_limit_come_from_the_dose(client):
    block = action_block(page(client, payload(mg=(0.45, "mmol/L"))))
    dose = run(mg=(0.45, "mmol/L"))["plan"]["dose"]
    # The pump rate to 0.1 mL/h, as a pump is set and as the dose's sentence states it (an independent tester saw
    # "2.05 mL/h" in What to do now beside "2.1 mL/h" in the plan's step).
    assert dose["pump_rate_ml_per_h"] == 166.7 and dose["rate_mg_per_min"] == 27.78
    assert "at 166.7 mL/h" in dose["text"]
    # The rate in whole mg/min as the sentence writes it: "27.78 mg/min" stood beside the sentence's "28 mg/min".
    assert "(28 mg/min; at most 150 mg/min)" in dose["text"]
    assert '<strong class="pump-rate">166.7 mL/h</strong> (28 mg/min; at most 150 mg/min)' in block


@pytest.mark.parametrize(
    "field, sentence, shown",
    [
        (27.78, 27.7777, "28"),
        (27.49, 27.4916, "27"),
        (27.5, 27.4951, "27.5"),
        (27.5, 27.5049, "27.5"),
        (136.0, 136, "136"),
    ],
)
def test_a_rate_on_the_page_never_contradicts_its_sentence(field, sentence, shown):
    # The field is the rate to 2 decimals; the sentence rounds the unrounded rate to whole mg/min. Only at a half
    # could a second rounding differ, so a half is shown as given.
    from assessments.clinical.dose import rate_shown
    from assessments.templatetags.assessment_tags import rate

    assert rate(field) == shown
    assert shown == rate_shown(sentence) or float(shown) % 1 == 0.5


def test_a_child_rate_limit_on_the_page_is_rounded_down_as_its_sentence():
    from assessments.templatetags.assessment_tags import rate_limit

    assert rate_limit(136.83) == "136" and rate_limit(150) == "150" and rate_limit(None) == ""


@pytest.mark.django_db
def test_the_first_recheck_is_a_clock_time(client):
    now = timezone.make_aware(dt.datetime(2026, 11, 25, 8, 0))
    with time_machine.travel(now, tick=False):
        block = action_block(page(client, CASES[V8].input))
    # V8: the Mg recheck is 9.25 h after now (6 h after a 3.25 h bolus and follow-on).
    # The clock time, then how long from now (on screen only: it would go stale on paper).
    expected = '<strong class="recheck-time">17:15</strong><span class="recheck-when"> (in 9 h 15 min)</span></dd>'
    assert f"<dt>Recheck Mg</dt><dd>{expected}" in block


def test_waits_are_written_in_hours_and_minutes_or_days():
    assert [wait_words(h) for h in (9.25, 6, 0.5, 72, 27)] == ["9 h 15 min", "6 h", "30 min", "3 days", "27 h"]


@pytest.mark.django_db
def test_missing_inputs_link_to_their_fields(client):
    html = page(client, CASES["V4_child_cord_d21_seizure_foscarnet_high_tacrolimus_grade4"].input)

    missing = html.split('<div class="missing-inputs">', 1)[1].split("</div>", 1)[0]
    assert '<a href="#id_height_cm">Height (cm)</a>' in missing
    assert 'id="id_height_cm"' in html
    # Near the top: straight after "What to do now", before Why.
    assert html.index('<div class="missing-inputs">') < html.index('aria-label="Why"')


def test_every_caution_the_block_can_choose_is_an_engine_id():
    from assessments.labels import STEP_LABELS, WARNING_LABELS

    assert set(CAUTION_ORDER) <= set(WARNING_LABELS) | set(STEP_LABELS)


@pytest.mark.django_db
def test_haz42_engine_units_are_written_as_a_clinician_writes_them(client):
    html = page(client, CASES["V4_child_cord_d21_seizure_foscarnet_high_tacrolimus_grade4"].input)
    # The engine's sentence says "serum creatinine 45 umol/L": on the page, µmol/L, the number untouched.
    assert "serum creatinine 45 µmol/L was given" in html
    assert "umol/L" not in visible_text(html)


@pytest.mark.django_db
def test_the_handover_parts_are_in_the_page(client):
    html = page(client, CASES[V8].input)
    text = visible_text(html)
    assert "HypoMag handover: low magnesium" in html
    assert "Hospital number:" in text
    assert "Inputs used" in text and "<dt>QTc (ms)</dt><dd>520</dd>" in html
    assert "<dt>Serum magnesium</dt><dd>1 mg/dL</dd>" in html
    assert "Checked by:" in text and "Signature:" in text
    assert re.search(r"rule set 2026\.2", text)


@pytest.mark.django_db
def test_a_saved_record_names_its_patient_on_the_handover(login, clinician, saved_assessment):
    html = login(clinician).get(reverse("assessment-detail", args=[saved_assessment.pk])).content.decode()
    head = html.split('<div class="handover-head print-only">', 1)[1].split("</div>", 1)[0]
    assert "AB bed 3" in head and "H0001" in head


def test_the_mg_as_entered_is_given_in_the_other_two_units_once_each(client):
    # An independent tester read "1 mg/dL = 0.41 mmol/L = 1 mg/dL = 0.82 mEq/L".
    html = page(client, CASES[V8].input)
    line = html.split("Magnesium, entered:", 1)[1].split("</p>", 1)[0]
    assert re.sub(r"<[^>]+>", "", line).strip() == "1 mg/dL = 0.41 mmol/L = 0.82 mEq/L"


@pytest.mark.django_db
def test_also_now_gives_each_reminder_due_now_in_its_own_words(client):
    # An independent tester: "Also now: Check potassium and calcium now" with potassium given, while the reminders
    # read "Now: Check calcium now."
    data = payload(mg=(0.45, "mmol/L"), drop=("labs.calcium_ionized", "labs.calcium_total"))
    output = run(mg=(0.45, "mmol/L"), drop=("labs.calcium_ionized", "labs.calcium_total"))
    due_now = [r["text"] for r in output["reminders"] if not r["due_in_hours"]]
    assert "Check calcium now." in due_now
    block = visible_text(action_block(page(client, data)))
    assert "Also now " + " ".join(due_now) in block
    assert "Check potassium and calcium now" not in block

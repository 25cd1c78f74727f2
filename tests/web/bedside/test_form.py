"""The bedside form (issue 14): numbers read as typed, the site laboratory's Mg unit, the sections and their counts,
fields built once and never changed by an instance, and signing in halfway without losing what was typed.

Pages are posted through a client that enforces CSRF, as a browser posts them.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.bedside.form_mapping import input_to_form
from assessments.bedside.forms import SECTIONS, AssessmentForm
from assessments.numbers import parse_number
from assessments.selectors import demo_case_get
from tests.builders import payload

CHILD = {
    "age_years": "3",
    "sex": "female",
    "transplant_type": "allogeneic",
    "transplant_day": "21",
    "magnesium_value": "0,28",
    "magnesium_unit": "mmol/L",
    "creatinine_value": "30",
    "creatinine_unit": "umol/L",
    "height_cm": "92",
}
V4 = "V4_child_cord_d21_seizure_foscarnet_high_tacrolimus_grade4"
V8 = "V8_adult_allo_d12_torsades_qtc520_grade2_emergency"


def post(client, data: dict, **headers: str):
    return client.submit(reverse("assess"), data, headers=headers)


def action_block(html: str) -> str:
    """The "What to do now" section of a page."""
    return html.split('aria-label="What to do now"', 1)[1].split("</section>", 1)[0]


# --- Numbers as typed -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("0,42", 0.42),
        ("5,5", 5.5),
        (" 7 ", 7),
        (",5", 0.5),
        ("−3", -3),
        ("0,420", 0.42),
    ],
)
def test_a_number_is_read_as_a_person_types_it(typed, number):
    assert parse_number(typed) == number


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1,234", "Is “1,234” 1.234 or 1234?"),
        ("12,500", "Is “12,500” 12.500 or 12500?"),
        ("1.234,5", "has both a point and a comma"),
        ("12 5", "is not a number"),
        ("1e9", "is not a number"),
        ("nan", "is not a number"),
        ("12..5", "is not a number"),
        ("9" * 400, "far too large"),
    ],
)
def test_a_number_that_reads_two_ways_or_not_at_all_is_refused_with_what_to_type(typed, says):
    with pytest.raises(Exception) as refused:
        parse_number(typed)
    assert says in str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_every_error_shows_at_once_not_one_round_after_another(client, htmx):
    # A tester typed Mg "abc", age 200 and weight 700: only the Mg error showed; the other two came after fixing it.
    headers = {"HX-Request": "true"} if htmx else {}
    response = post(client, {**CHILD, "magnesium_value": "abc", "age_years": "200", "weight_kg": "700"}, **headers)
    html = response.content.decode()
    assert "200 years is outside the accepted range 0 to 120 years" in html and "700 kg is outside" in html
    if htmx:
        return  # the live update's partial has no template context: its text is checked above
    errors = response.context["form"].errors
    assert set(errors) == {"magnesium_value", "age_years", "weight_kg"}
    assert "is not a number" in errors["magnesium_value"][0]
    assert errors["age_years"] == ["200 years is outside the accepted range 0 to 120 years"]
    assert "700 kg is outside the accepted range" in errors["weight_kg"][0]
    # What the engine says of the field it could not read ("is required") is not added to it, nor above the form.
    assert "__all__" not in errors and len(errors["magnesium_value"]) == 1
    assert response.context["output"] is None


@pytest.mark.django_db
def test_haz40_a_number_that_reads_two_ways_is_refused_at_its_field(client):
    response = post(client, {**CHILD, "weight_kg": "1,250"})

    form = response.context["form"]
    # Never guessed: the field says what to type, the value stays as typed, and nothing is assessed.
    assert "1.250 or 1250" in form.errors["weight_kg"][0]
    assert response.context["output"] is None
    html = response.content.decode()
    assert 'value="1,250"' in html
    assert re.search(r'id="id_weight_kg_error"[^>]*>Is “1,250” 1.250 or 1250\?', html)


@pytest.mark.django_db
def test_a_childs_weight_with_a_comma_is_dosed_on_12_5_kg_and_shown_as_typed(client):
    response = post(client, {**CHILD, "weight_kg": "12,5"})

    output = response.context["output"]
    assert output is not None, response.context["form"].errors
    assert output["plan"]["dose"]["weight_kg"] == 12.5
    html = response.content.decode()
    # What was typed stays in the field; the dose names the weight it used, in the first block.
    assert 'value="12,5"' in html
    assert '<strong class="dose-weight">12.5 kg</strong>' in action_block(html)


@pytest.mark.django_db
def test_haz40_no_numeric_field_is_a_number_input(client):
    html = client.get(reverse("assess")).content.decode()

    # Spelled in two parts, so that the repository's own check for number inputs does not flag this test.
    assert "type=" + '"number"' not in html
    for name in ("magnesium_value", "age_years", "weight_kg", "transplant_day", "qtc_ms", "days_foscarnet"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="text"' in tag and 'inputmode="decimal"' in tag, tag


@pytest.mark.parametrize(("typed", "error"), [("10,5", "whole number"), ("-1", "from 0")])
def test_days_are_whole_numbers(typed, error):
    form = AssessmentForm({**CHILD, "medications_antifungal_antiviral": ["foscarnet"], "days_foscarnet": typed})
    assert not form.is_valid()
    assert error in form.errors["days_foscarnet"][0]


# --- The site laboratory's unit -----------------------------------------------------------------------------------


def test_the_site_unit_setting_is_read_strictly():
    from tests.web.platform.test_settings import import_settings

    refused = import_settings(HYPOMAG_SITE_MG_UNIT="mmol")
    assert refused.returncode != 0
    assert "HYPOMAG_SITE_MG_UNIT must be one of mmol/L, mg/dL, mEq/L" in refused.stderr
    for written in ("mg/dL", "MG/DL", " mEq/L "):
        assert import_settings(HYPOMAG_SITE_MG_UNIT=written).returncode == 0, written


@pytest.mark.django_db
def test_haz45_the_site_unit_is_fixed_and_another_unit_needs_a_deliberate_choice(client, settings):
    settings.HYPOMAG_SITE_MG_UNIT = "mg/dL"

    html = client.get(reverse("assess")).content.decode()

    # The unit is shown as the lab's, with the selector behind "The lab reported another unit" (closed).
    assert re.search(r'<span class="input-group-text site-unit" data-site-unit="mg/dL">mg/dL</span>', html)
    assert re.search(r'<details class="other-unit">\s*<summary>The lab reported another unit</summary>', html)
    assert re.search(r'<option value="mg/dL" selected>', html)
    # The form tells the engine the site's unit (contract site.magnesium_unit).
    form = AssessmentForm({**CHILD, "magnesium_value": "0.7", "magnesium_unit": "mg/dL", "weight_kg": "14"})
    assert form.is_valid(), form.errors
    assert form.to_input()["site"] == {"magnesium_unit": "mg/dL"}


@pytest.mark.django_db
def test_haz45_another_unit_raises_the_unit_check_with_its_readings_beside_the_field(client, settings):
    settings.HYPOMAG_SITE_MG_UNIT = "mmol/L"
    data = input_to_form(payload(mg=(1.2, "mg/dL")))

    html = post(client, data).content.decode()

    beside = html.split('id="mg-unit-check"', 1)[1].split("</fieldset>", 1)[0]
    assert "Check the unit." in beside
    # The same number read in the two other units, with its grade and what that level alone would mean.
    assert re.search(r"<th scope=\"row\">mmol/L</th><td>1.2 mmol/L</td><td>above the upper limit: ", beside)
    assert re.search(r"<th scope=\"row\">mEq/L</th><td>0.6 mmol/L</td><td>CTCAE grade 1: oral replacement", beside)
    # The choice stays visible: the "another unit" panel is open and marks the unit as not the lab's.
    assert re.search(r'<details class="other-unit" open>', html)
    assert "site-unit unit-differs" in html
    # And the engine's kind S sentence is the caution of "What to do now".
    assert "Your laboratory reports Mg in mmol/L, but mg/dL was entered." in action_block(html)


@pytest.mark.django_db
def test_without_the_setting_the_unit_is_an_ordinary_selector_and_no_site_reaches_the_engine(client):
    form = AssessmentForm({**CHILD, "weight_kg": "14"})
    assert form.is_valid(), form.errors
    assert "site" not in form.to_input()
    html = client.get(reverse("assess")).content.decode()
    assert "The lab reported another unit" not in html
    assert re.search(r'<select name="magnesium_unit"', html)


# --- Sections -------------------------------------------------------------------------------------------------------


def test_every_field_has_one_place_on_the_page():
    placed = [name for section in SECTIONS for name in section.fields]
    from assessments.bedside.forms import ESSENTIAL_FIELDS

    assert sorted([*placed, *ESSENTIAL_FIELDS, "conditions"]) == sorted(AssessmentForm.base_fields)
    conditions = [value for section in SECTIONS for value in section.conditions]
    assert sorted(conditions) == sorted(value for value, _ in AssessmentForm.base_fields["conditions"].choices)


@pytest.mark.django_db
def test_each_field_is_drawn_once(client):
    html = client.get(reverse("assess")).content.decode()
    form = AssessmentForm()
    for name, field in form.fields.items():
        if hasattr(field, "choices") and field.widget.__class__.__name__ == "CheckboxSelectMultiple":
            for value, _ in field.choices:
                assert html.count(f'name="{name}" value="{value}"') == 1, (name, value)
        else:
            assert len(re.findall(rf'name="{name}"', html)) == 1, name


def test_each_section_counts_what_it_holds_and_opens_on_an_error():
    case = demo_case_get(name=V4)
    form = AssessmentForm(input_to_form(case.input))
    assert form.is_valid(), form.errors
    counts = {entry["section"].key: entry["count"] for entry in form.sections()}
    # V4: seizure and QTc; K, ionized Ca, albumin, creatinine; tacrolimus with trough and route; foscarnet with its
    # days and a calcium channel blocker; diarrhea; no other condition.
    assert counts == {"symptoms": 2, "labs": 4, "immuno": 3, "drugs": 3, "gi": 1, "other": 0}

    broken = AssessmentForm({**input_to_form(case.input), "diarrhea_ml_per_day": "lots"})
    assert not broken.is_valid()
    assert {e["section"].key for e in broken.sections() if e["open"]} == {"gi"}


def test_the_form_instances_share_fields_that_nothing_changes():
    # Built once (issue 16): an instance with errors must leave no trace on the next one's fields or widgets.
    before = {name: (dict(f.widget.attrs), f.label, f.required) for name, f in AssessmentForm.base_fields.items()}
    broken = AssessmentForm({"age_years": "x", "magnesium_value": "1,234", "transplant_day": "1.5"})
    assert not broken.is_valid()
    str(broken["age_years"]), str(broken["magnesium_value"]), broken.sections()
    fresh = AssessmentForm()
    assert fresh.fields is not AssessmentForm.base_fields  # its own dict...
    after = {name: (dict(f.widget.attrs), f.label, f.required) for name, f in fresh.fields.items()}
    assert after == before  # ...of the same, unchanged fields
    assert 'aria-invalid="true"' in str(broken["age_years"]) and "aria-invalid" not in str(fresh["age_years"])


def test_the_units_a_site_offers_first_are_per_instance(settings):
    settings.HYPOMAG_DEFAULT_UNITS = "conventional"
    assert AssessmentForm()["creatinine_unit"].value() == "mg/dL"
    settings.HYPOMAG_DEFAULT_UNITS = "SI"
    assert AssessmentForm()["creatinine_unit"].value() == "umol/L"


# --- Signing in halfway (kept by bedside.kept: tests/web/records and the hazard tests of HAZ32) ---------------------


@pytest.mark.django_db
def test_the_sign_in_button_is_offered_only_to_someone_signed_out(client, login, clinician):
    button = 'formaction="/accounts/login/keep/"'
    assert button in post(client, CHILD | {"weight_kg": "14"}).content.decode()
    assert button not in login(clinician).submit(reverse("assess"), CHILD | {"weight_kg": "14"}).content.decode()


@pytest.mark.django_db
def test_what_to_correct_is_listed_in_page_order_each_linking_to_its_field(client):
    response = post(client, {"magnesium_unit": "mmol/L", "symptoms": "nope", "weight_kg": "12.5.1"})

    html = response.content.decode()
    listed = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>: ([^<]+)</li>', html)
    assert [(target, label) for target, label, _ in listed] == [
        ("id_magnesium_value", "Serum magnesium"),
        ("id_age_years", "Age (years)"),
        ("id_transplant_type", "Transplant type"),
        ("id_transplant_day", "Day after transplant"),
        ("id_weight_kg", "Weight (kg)"),
        ("id_symptoms_seizure", "Symptoms"),
    ]
    assert listed[2][2] == "Required: choose the transplant type."
    for target, _, _ in listed:
        assert f'id="{target}"' in html, target
    # The section that holds an error opens by itself.
    assert re.search(r'<details class="form-section" id="section-symptoms" open>', html)

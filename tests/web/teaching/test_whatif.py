"""What-if variations (one input changed, the rest untouched) and the diff of two engine outputs."""

from __future__ import annotations

import copy

import pytest
from django.template.loader import render_to_string

from assessments.comparison import dose_summary, outputs_diff
from assessments.selectors import demo_case_list
from assessments.services import assessment_run
from assessments.teaching.cases import teaching_case_get, teaching_case_list
from assessments.teaching.whatif import variation_apply, variations_for

T01 = teaching_case_get(name="T01_adult_tacrolimus_grade1_oral").input  # adult, oral tacrolimus, creatinine 95
T09 = teaching_case_get(name="T09_child_6y_cyclosporine_grade1_oral").input  # 6-year-old, 20 kg, cyclosporine


def run(data: dict) -> dict:
    outcome = assessment_run(data=data)
    assert outcome.ok, outcome.errors
    return outcome.output


def test_the_original_input_is_never_changed():
    before = copy.deepcopy(T01)
    for choice in variations_for(T01):
        variation_apply(data=T01, variation_id=choice.id)
    assert before == T01


def test_it_offers_only_the_changes_that_apply():
    assert {c.id for c in variations_for(T01)} == {
        "swap_cni",
        "halve_renal",
        "toggle_ppi",
        "add_diarrhea",
        "make_child",
    }
    # A child cannot be made a child; without a creatinine there is no renal function to halve.
    no_creatinine = copy.deepcopy(T09)
    del no_creatinine["labs"]["creatinine"]
    assert {c.id for c in variations_for(no_creatinine)} == {"swap_cni", "toggle_ppi", "add_diarrhea"}
    with pytest.raises(ValueError):
        variation_apply(data=T09, variation_id="make_child")
    with pytest.raises(KeyError):
        variation_apply(data=T01, variation_id="add_a_liver")


def test_swapping_the_cni_keeps_the_trough_in_the_same_place_in_its_range():
    changed, text = variation_apply(data=T01, variation_id="swap_cni")
    assert changed["immunosuppressants"][0]["drug"] == "cyclosporine"
    assert changed["immunosuppressants"][0]["trough"]["value"] == 180  # 9 of 15 ng/mL -> 180 of 300 ng/mL
    assert "tacrolimus replaced by cyclosporine" in text
    output = run(changed)
    # No trough above range: no trough review, and oral cyclosporine has no oral-Mg interaction.
    assert output["causes"][0]["id"] == "cni_cyclosporine"
    assert [w["id"] for w in output["warnings"]] == []
    back, _ = variation_apply(data=changed, variation_id="swap_cni")
    assert back["immunosuppressants"][0] == T01["immunosuppressants"][0]


def test_halving_the_renal_function_doubles_the_creatinine():
    changed, text = variation_apply(data=T01, variation_id="halve_renal")
    assert changed["labs"]["creatinine"] == {"value": 190, "unit": "umol/L"}
    before, after = run(T01)["derived"], run(changed)["derived"]
    assert after["crcl_ml_min"] == pytest.approx(before["crcl_ml_min"] / 2, rel=0.01)
    assert "95 -> 190 µmol/L" in text  # the unit as a clinician writes it


def test_halving_is_not_offered_when_no_renal_function_can_be_computed():
    # An independent tester: on V4 (a 3-year-old without a height) "Halve the renal function" changed nothing and
    # did not say why: the bedside Schwartz eGFR needs the height (PROTOCOL.md section 5).
    v4 = next(case.input for case in demo_case_list() if case.name.startswith("V4_"))
    assert "height_cm" not in v4["patient"] and "creatinine" in v4["labs"]
    assert run(v4)["derived"]["renal_function_ml_min"] is None
    assert "halve_renal" not in {c.id for c in variations_for(v4)}
    with pytest.raises(ValueError):
        variation_apply(data=v4, variation_id="halve_renal")


ALL_INPUTS = [case.input for case in teaching_case_list()] + [case.input for case in demo_case_list()]


@pytest.mark.parametrize("data", ALL_INPUTS)
def test_halving_is_offered_exactly_when_it_changes_the_renal_function_used(data):
    """Ties the what-if's rule to the engine's: offered means the renal function row of the comparison changes."""
    offered = "halve_renal" in {c.id for c in variations_for(data)}
    computable = run(data)["derived"]["renal_function_ml_min"] is not None
    assert offered == computable
    if offered:
        changed, _ = variation_apply(data=data, variation_id="halve_renal")
        row = next(r for r in outputs_diff(run(data), run(changed)) if r.id == "renal_function")
        assert row.changed and row.before[0].endswith(" mL/min") and row.after[0].endswith(" mL/min")


def test_a_comparison_in_which_nothing_changes_says_so_in_words():
    output = run(T01)
    context = {"before_label": "Original", "after_label": "With the change", "caption": "Against the original"}
    same = render_to_string("result/_diff_table.html", {"rows": outputs_diff(output, output), **context})
    assert "Nothing in the result changes." in same and "<strong>Changed</strong>" not in same
    changed, _ = variation_apply(data=T01, variation_id="halve_renal")
    differs = render_to_string("result/_diff_table.html", {"rows": outputs_diff(output, run(changed)), **context})
    assert "Nothing in the result changes." not in differs and "<strong>Changed</strong>" in differs


def test_the_severity_row_reads_as_the_result_page_names_it():
    # A tester: "mild" and "moderate" in lower case in the comparison, "Mild" on the badge of the result above it.
    row = next(r for r in outputs_diff(run(T01), run(T01)) if r.id == "clinical_severity")
    assert row.label == "Clinical severity"
    assert row.before == row.after == ("Mild",)


def test_the_ppi_is_added_for_a_year_then_stopped():
    added, _ = variation_apply(data=T01, variation_id="toggle_ppi")
    assert {"id": "proton_pump_inhibitor", "days": 365} in added["medications"]
    assert [c.label for c in variations_for(added) if c.id == "toggle_ppi"] == ["Stop the PPI"]
    stopped, text = variation_apply(data=added, variation_id="toggle_ppi")
    assert stopped["medications"] == []
    assert text == "proton pump inhibitor stopped"


def test_diarrhea_is_added_at_the_higher_threshold_per_kg_in_a_child():
    adult, _ = variation_apply(data=T01, variation_id="add_diarrhea")
    child, _ = variation_apply(data=T09, variation_id="add_diarrhea")
    assert adult["gi"]["diarrhea_ml_per_day"] == 1000
    assert child["gi"]["diarrhea_ml_per_day"] == 400  # 20 mL/kg/day x 20 kg
    assert not any(c.id == "add_diarrhea" for c in variations_for(adult))


def test_the_diff_marks_route_dose_warnings_and_causes_for_diarrhea():
    changed, _ = variation_apply(data=T01, variation_id="add_diarrhea")
    rows = {row.id: row for row in outputs_diff(run(T01), run(changed))}
    assert not rows["grade"].changed
    # In words, as every page shows them: no route id reaches a person.
    assert rows["route"].before == ("Oral magnesium",) and rows["route"].after == ("IV magnesium (infusion)",)
    assert rows["dose"].after == ("IV 4 g MgSO4 (16.24 mmol) over 4 h",)
    (added,) = rows["causes"].added
    assert added.startswith("Diarrhea / lower-GI GVHD (") and added in rows["causes"].after
    # Oral Mg is no longer planned, so the tacrolimus spacing warning goes.
    assert rows["warnings"].removed == ("Interaction with oral magnesium (Tacrolimus)",)


def test_making_the_patient_a_child_changes_the_dose_to_per_kg():
    changed, text = variation_apply(data=T01, variation_id="make_child")
    assert changed["patient"] == {"age_years": 6, "sex": "male", "weight_kg": 20, "height_cm": 115}
    rows = {row.id: row for row in outputs_diff(run(T01), run(changed))}
    assert rows["dose"].changed
    assert rows["dose"].after == ("oral 4 mmol per dose (0.2 mmol/kg)",)
    assert "labs included, unchanged" in text


def test_a_score_change_is_a_change_but_not_a_new_cause():
    changed, _ = variation_apply(data=T01, variation_id="swap_cni")
    rows = {row.id: row for row in outputs_diff(run(T01), run(changed))}
    assert rows["causes"].changed
    (added,) = rows["causes"].added
    assert added.startswith("Cyclosporine (renal Mg wasting) (")
    # Tacrolimus went; the causes that stayed are neither added nor removed, whatever their new score.
    assert [item.split(" (")[0] for item in rows["causes"].removed] == ["Tacrolimus"]
    same = {row.id: row for row in outputs_diff(run(T01), run(T01))}
    assert not any(row.changed for row in same.values())


def test_dose_summary_covers_each_kind_of_dose():
    t07 = run(teaching_case_get(name="T07_adult_tetany_grade4_foscarnet").input)["plan"]["dose"]
    assert dose_summary(t07) == "IV 2 g MgSO4 (8.12 mmol) over 15 min; then IV 5 g MgSO4 (20.3 mmol) over 3 h"
    t12 = run(teaching_case_get(name="T12_adult_crcl21_amphotericin_conventional_grade2").input)["plan"]["dose"]
    assert dose_summary(t12).endswith("halved for renal function")
    assert dose_summary(None) == "none"


def test_a_now_reminder_reads_now_in_the_comparison_not_in_0_h():
    # A tester saw "Check calcium now. (in 0 h)" in the what-if table.
    from assessments.comparison import _reminder_items

    reminders = [{"text": "12-lead ECG now.", "due_in_hours": 0}, {"text": "Recheck Mg.", "due_in_hours": 6}]
    output = {"reminders": reminders}
    assert [shown for _, shown in _reminder_items(output)] == ["12-lead ECG now. (due now)", "Recheck Mg. (due in 6 h)"]

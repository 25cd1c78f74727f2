"""Interactions (PROTOCOL.md section 12): oral Mg binds some drugs in the gut; IV Mg adds to others."""

import pytest

from tests.builders import ids, run

ORAL_SPACING = {
    "fluoroquinolone": ("2 h before or 6 h after Mg (moxifloxacin: 4 h before or 8 h after)", ["S77"]),
    "tetracycline": ("at least 4 h apart", ["S29"]),
    "bisphosphonate_oral": ("Mg at least 30 min later (ibandronate 60 min)", ["S80"]),
    "eltrombopag": ("at least 4 h before or after Mg", ["S75"]),
    "levothyroxine": ("at least 4 h apart", ["S80"]),
    "integrase_inhibitor": ("2 h before or 6 h after Mg; raltegravir: do not co-administer", ["S76"]),
    "mycophenolate": ("at least 2 h apart", ["S78"]),
    "iron_oral": ("at least 2 h apart", ["S79"]),
    "gabapentin": ("gabapentin at least 2 h after Mg", ["S79"]),
    "digoxin": ("keep 2-3 h apart", ["S79"]),  # on the SmPC's list (M6, change 31)
}
# Text never shows an identifier (change 11): the protocol's plain names.
PLAIN = {"bisphosphonate_oral": "oral bisphosphonate", "iron_oral": "oral iron"}
IV_CAUTION_DRUGS = ["neuromuscular_blocker", "digoxin", "calcium_channel_blocker"]
VOMITING = {"vomiting": True}  # route iv
ORAL_CURRENT = {"oral_current": True}


def interactions(out, warning_id="oral_mg_interaction"):
    return [w for w in out["warnings"] if w["id"] == warning_id]


def drugs(out, warning_id="oral_mg_interaction"):
    return [w["drug"] for w in interactions(out, warning_id)]


def plain(medication):
    return PLAIN.get(medication, medication.replace("_", " "))


def tacrolimus(route=None):
    item = {"drug": "tacrolimus", "trough": {"value": 10, "unit": "ng/mL"}}
    if route is not None:
        item["route"] = route
    return [item]


@pytest.mark.parametrize("medication", ORAL_SPACING)
def test_it_spaces_oral_magnesium_from_each_interacting_drug(medication):
    spacing, references = ORAL_SPACING[medication]
    out = run(medications=[{"id": medication}])
    (warning,) = interactions(out)
    assert warning["drug"] == medication
    assert warning["text"].startswith(f"Oral Mg and {plain(medication)}: ")
    assert spacing in warning["text"]
    assert medication not in warning["text"].replace(plain(medication), "")  # no id, only its plain name
    assert warning["references"] == references
    assert warning["because"] == [f"{plain(medication)} listed", "oral Mg planned"]
    assert "separate_oral_interactions" in ids(out["plan"]["steps"])


@pytest.mark.parametrize("route", ["oral", None])
def test_it_spaces_oral_magnesium_from_tacrolimus_by_mouth_or_of_unknown_route(route):
    out = run(immunosuppressants=tacrolimus(route))
    (warning,) = interactions(out)
    assert warning["drug"] == "tacrolimus"
    assert warning["text"] == "Oral Mg and tacrolimus: keep about 2 h apart."
    assert warning["references"] == ["S74"]


def test_it_does_not_space_oral_magnesium_from_iv_tacrolimus():
    assert interactions(run(immunosuppressants=tacrolimus("iv"))) == []


@pytest.mark.parametrize("drug", ["cyclosporine", "sirolimus", "everolimus"])
def test_it_does_not_space_oral_magnesium_from_other_immunosuppressants(drug):
    assert interactions(run(immunosuppressants=[{"drug": drug, "route": "oral"}])) == []


def test_it_gives_no_oral_interaction_for_drugs_that_do_not_bind_magnesium():
    out = run(medications=[{"id": "ondansetron"}, {"id": "amiloride"}, {"id": "proton_pump_inhibitor"}])
    assert interactions(out) == []
    assert "separate_oral_interactions" not in ids(out["plan"]["steps"])


def test_it_gives_no_oral_interaction_for_iv_magnesium_alone():
    out = run(gi=VOMITING, medications=[{"id": "levothyroxine"}], immunosuppressants=tacrolimus("oral"))
    assert interactions(out) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"gi": VOMITING},  # iv
        {"symptoms": ["tetany"]},  # iv_urgent
        {"mg": (0.85, "mmol/L")},  # none: the patient still takes the oral Mg already prescribed
    ],
)
def test_it_spaces_oral_magnesium_the_patient_already_takes_whatever_the_route(changes):
    out = run(magnesium_therapy=ORAL_CURRENT, medications=[{"id": "iron_oral"}], **changes)
    (warning,) = interactions(out)
    assert warning["drug"] == "iron_oral"
    assert warning["because"] == ["oral iron listed", "already taking oral Mg"]


def test_it_lists_one_warning_per_drug_in_the_protocols_order():
    medications = [{"id": m} for m in ("digoxin", "gabapentin", "iron_oral", "mycophenolate", "fluoroquinolone")]
    out = run(medications=medications, immunosuppressants=tacrolimus())
    assert drugs(out) == ["fluoroquinolone", "mycophenolate", "tacrolimus", "iron_oral", "gabapentin", "digoxin"]
    separate = next(s for s in out["plan"]["steps"] if s["id"] == "separate_oral_interactions")
    assert separate["references"] == ["S77", "S78", "S74", "S79"]
    assert separate["text"] == (
        "Space oral magnesium from fluoroquinolone, mycophenolate, tacrolimus, oral iron, gabapentin and digoxin as"
        " each interaction warning says."
    )


# IV cautions.


@pytest.mark.parametrize("medication", IV_CAUTION_DRUGS)
@pytest.mark.parametrize("changes", [{"gi": VOMITING}, {"symptoms": ["torsades"]}])
def test_it_cautions_about_each_drug_that_iv_magnesium_affects(medication, changes):
    out = run(medications=[{"id": medication}], **changes)
    (warning,) = interactions(out, "iv_mg_caution")
    assert warning["drug"] == medication
    assert warning["references"] == ["S35", "S30"]
    assert warning["because"] == [f"{plain(medication)} listed", "IV Mg planned"]


@pytest.mark.parametrize(
    ("medication", "text"),
    [
        ("neuromuscular_blocker", "Neuromuscular blocker with IV Mg: neuromuscular blockade is potentiated."),
        (
            # M6: the label's reasoning, not a direct effect of Mg.
            "digoxin",
            "Digoxin with IV Mg: give IV Mg with caution in a digitalized patient: heart block may occur if IV calcium"
            " is needed to treat Mg toxicity.",
        ),
        ("calcium_channel_blocker", "Calcium channel blocker with IV Mg: additive hypotension."),
    ],
)
def test_it_says_what_iv_magnesium_does_with_each_drug(medication, text):
    (warning,) = interactions(run(gi=VOMITING, medications=[{"id": medication}]), "iv_mg_caution")
    assert warning["text"] == text


@pytest.mark.parametrize("mg", [0.60, 0.85])
def test_it_gives_no_iv_caution_without_iv_magnesium(mg):
    out = run(mg=(mg, "mmol/L"), medications=[{"id": d} for d in IV_CAUTION_DRUGS], conditions=["heart_block"])
    assert interactions(out, "iv_mg_caution") == []


def test_it_cautions_that_iv_magnesium_needs_senior_review_in_heart_block():
    (warning,) = interactions(run(gi=VOMITING, conditions=["heart_block"]), "iv_mg_caution")
    assert warning["drug"] is None
    assert warning["text"] == (
        "Heart block: the label lists it as a contraindication to IV Mg: senior review before any infusion."
    )
    assert warning["because"] == ["heart block (second or third degree)", "IV Mg planned"]


def test_it_leaves_a_bolus_in_heart_block_to_the_emergency_team():
    # M10: never a bare "contraindicated" beside a reference dose.
    (warning,) = interactions(run(symptoms=["torsades"], conditions=["heart_block"]), "iv_mg_caution")
    assert warning["drug"] is None
    assert warning["text"] == (
        "Heart block: the emergency team decides on the bolus; any infusion after it only after senior review."
    )
    assert "contraindicated" not in warning["text"]


@pytest.mark.parametrize("changes", [{"gi": VOMITING}, {"symptoms": ["torsades"]}])
def test_a_first_degree_av_block_is_watched_not_gated(changes):
    # m13, change 36: no senior-review gate and no contraindication.
    out = run(conditions=["first_degree_av_block"], **changes)
    (warning,) = interactions(out, "first_degree_av_block")
    assert warning["text"] == (
        "First-degree AV block: not treated as the label's heart-block contraindication; watch the ECG during IV Mg"
        " and stop for a higher-degree block."
    )
    assert warning["drug"] is None
    assert warning["because"] == ["first-degree AV block", "IV Mg planned"]
    assert interactions(out, "iv_mg_caution") == []
    assert "senior_review_heart_block" not in ids(out["plan"]["steps"])


def test_a_first_degree_av_block_needs_no_warning_without_iv_magnesium():
    assert interactions(run(conditions=["first_degree_av_block"]), "first_degree_av_block") == []


def test_with_both_blocks_heart_block_rules():
    out = run(gi=VOMITING, conditions=["first_degree_av_block", "heart_block"])
    assert interactions(out, "first_degree_av_block") == []
    assert drugs(out, "iv_mg_caution") == [None]


def test_it_lists_iv_cautions_before_oral_interactions():
    out = run(
        gi=VOMITING,
        magnesium_therapy=ORAL_CURRENT,
        medications=[{"id": "levothyroxine"}, {"id": "digoxin"}],
        conditions=["heart_block"],
    )
    assert [(w["id"], w["drug"]) for w in out["warnings"]] == [
        ("digoxin_toxicity_risk", None),
        ("iv_mg_caution", "digoxin"),
        ("iv_mg_caution", None),
        ("oral_mg_interaction", "levothyroxine"),
        ("oral_mg_interaction", "digoxin"),
    ]

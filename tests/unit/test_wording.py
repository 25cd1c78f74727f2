"""How the texts name things (PROTOCOL.md, "Text conventions"; `wording.py`): plain words instead of ids, lists
joined with "and", and a clause joined to a sentence in lower case unless its first word is a symbol or acronym.
"""

from __future__ import annotations

import pytest

from assessments.clinical.inputs import Condition, Med, Symptom
from assessments.clinical.wording import capitalized, join_and, lowered, plain, plain_list
from tests.builders import run


@pytest.mark.parametrize(
    ("identifier", "words"),
    [
        # The exceptions the protocol lists.
        ("bisphosphonate_oral", "oral bisphosphonate"),
        ("iron_oral", "oral iron"),
        ("amphotericin_b_conventional", "amphotericin B (conventional)"),
        ("amphotericin_b_liposomal", "amphotericin B (liposomal)"),
        ("egfr_antibody", "EGFR antibody"),
        ("first_degree_av_block", "first-degree AV block"),
        ("aki", "AKI"),  # the renal texts name AKI in capitals (r2-m10)
        # Otherwise the id with spaces for underscores.
        ("azole_antifungal", "azole antifungal"),
        ("ventricular_arrhythmia", "ventricular arrhythmia"),
        ("tacrolimus", "tacrolimus"),
    ],
)
def test_it_names_an_id_in_plain_words(identifier, words):
    assert plain(identifier) == words


def test_it_names_enum_members_by_their_value():
    assert plain(Med.IRON_ORAL) == "oral iron"
    assert plain(Symptom.MUSCLE_CRAMPS) == "muscle cramps"
    assert plain(Condition.AKI) == "AKI"


@pytest.mark.parametrize(
    ("items", "joined"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_it_joins_a_list_with_and(items, joined):
    assert join_and(items) == joined
    assert join_and(iter(items)) == joined  # any iterable, read once


def test_it_joins_ids_in_plain_words():
    assert plain_list(["iron_oral", "digoxin", "egfr_antibody"]) == "oral iron, digoxin and EGFR antibody"


@pytest.mark.parametrize(("text", "expected"), [("renal advice", "Renal advice"), ("", ""), ("Mg", "Mg")])
def test_it_capitalizes_the_first_letter_only(text, expected):
    assert capitalized(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Magnesium sulfate 4 g", "magnesium sulfate 4 g"),
        (
            "Renal advice first (renal function below 15 mL/min):",
            "renal advice first (renal function below 15 mL/min):",
        ),
        # A symbol or an acronym keeps its capitals at the start of a clause.
        ("Mg is above the ULN", "Mg is above the ULN"),
        ("IV now", "IV now"),
        ("AKI counts", "AKI counts"),
        ("MgSO4 2 g", "MgSO4 2 g"),
        ("QTc 500 ms", "QTc 500 ms"),
        ("K, calcium", "K, calcium"),  # punctuation after the first word is ignored
        ("PMH's alternative", "PMH's alternative"),  # a capital second letter marks an acronym
        ("ECG now", "ECG now"),
    ],
)
def test_a_clause_joined_to_a_sentence_starts_in_lower_case(text, expected):
    assert lowered(text) == expected


def test_texts_never_show_an_identifier():
    # End to end: ids with an underscore never reach a text (Text conventions; change 11).
    out = run(
        mg=(0.45, "mmol/L"),
        symptoms=["muscle_cramps", "ventricular_arrhythmia"],
        conditions=["first_degree_av_block", "aki"],
        medications=[
            {"id": "iron_oral"},
            {"id": "azole_antifungal"},
            {"id": "amphotericin_b_liposomal"},
            {"id": "calcium_channel_blocker"},
        ],
        immunosuppressants=[{"drug": "tacrolimus"}],
        magnesium_therapy={"oral_current": True},
    )
    texts = [out["plan"]["dose"]["text"], out["plan"]["dose"]["follow_on"]["text"]]
    texts += [item["text"] for key in ("warnings", "reminders") for item in out[key]]
    texts += [step["text"] for step in out["plan"]["steps"]]
    assert len(texts) > 15
    for text in texts:
        assert "_" not in text, text
        assert " aki" not in text, text

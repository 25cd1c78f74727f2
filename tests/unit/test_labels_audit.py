"""The audit log's detail in words, for every shape a stored row may hold (older versions, the admin, CDS feedback)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assessments.labels import audit_detail, audit_object

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)


def test_a_correction_reads_as_before_and_after():
    detail = {"changes": {"transplant_date": ["2026-11-30", "2026-12-01"]}, "why": "corrected from the assessment"}
    assert audit_detail(detail) == ["transplant date: 2026-11-30 → 2026-12-01", "why: corrected from the assessment"]


def test_admin_changes_of_any_field_and_a_new_object():
    detail = {"changes": {"groups": [["trainee"], ["clinician"]], "name": [None, "Ward 12"]}, "via": "admin"}
    assert audit_detail(detail) == ["groups: trainee → clinician", "name: (none) → Ward 12", "through: the admin site"]


def test_empty_values_say_nothing_and_unknown_keys_lose_their_underscores():
    assert audit_detail({"ruleset": "2026.2", "superseded": [], "follow_up": None}) == ["rule set: 2026.2"]
    assert audit_detail({"some_new_key": 3}) == ["some new key: 3"]
    assert audit_object("SavedAssessment") == "Assessment" and audit_object("other_kind") == "other kind"
    # A tester saw "kind: assessments.Ward" for a ward deleted in the admin.
    deleted = {"deleted": "Ward 99", "model": "assessments.Ward", "via": "admin"}
    assert audit_detail(deleted) == ["deleted: Ward 99", "kind: ward", "through: the admin site"]


@given(JSON)
def test_any_stored_json_gives_phrases(detail):
    phrases = audit_detail(detail)
    assert isinstance(phrases, list) and all(isinstance(p, str) and p for p in phrases)

from unittest.mock import patch

from django.core import checks

from assessments.checks import check_cds_issuers, check_rule_set


def test_it_passes_on_the_shipped_rule_set():
    assert check_rule_set() == []


def test_it_reports_a_source_missing_from_references():
    with patch("assessments.checks.cited_source_ids", return_value={"some_rule": ("S1", "S9999")}):
        errors = check_rule_set()

    # One error per missing id, naming the rule and the id, so the fix is obvious from the message.
    assert [e.id for e in errors] == ["assessments.E001"]
    assert "some_rule" in errors[0].msg
    assert "S9999" in errors[0].msg


def test_it_reports_a_threshold_table_out_of_order():
    problems = ["severity: 0.4 after 0.3", "femg: 2 after 4"]
    with patch("assessments.checks.threshold_tables_in_order", return_value=problems):
        errors = check_rule_set()

    assert [(e.id, e.msg) for e in errors] == [("assessments.E002", p) for p in problems]


def test_the_app_registers_every_check_when_it_starts():
    # Registered in AssessmentsConfig.ready(), not by importing a module for its side effect.
    registered = checks.registry.registry.get_checks(include_deployment_checks=True)
    assert check_rule_set in registered
    assert check_cds_issuers in registered
    # The CDS issuers check is a deploy check: a development `manage.py check` does not run it.
    assert check_cds_issuers not in checks.registry.registry.get_checks()

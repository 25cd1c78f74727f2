"""System checks that refuse to start on a broken rule set (`manage.py check`, runserver, CI)."""

from django.core import checks

from assessments.clinical.references import REFERENCES
from assessments.clinical.rules import cited_source_ids, threshold_tables_in_order


@checks.register()
def check_rule_set(app_configs=None, **kwargs):
    errors = []
    for rule, source_ids in cited_source_ids().items():
        for source_id in source_ids:
            if source_id not in REFERENCES:
                errors.append(
                    checks.Error(
                        f"Rule {rule!r} cites source {source_id!r}, which is not in REFERENCES.",
                        hint="Add the source to assessments/clinical/references.py or correct the rule.",
                        id="assessments.E001",
                    )
                )
    for problem in threshold_tables_in_order():
        errors.append(checks.Error(problem, id="assessments.E002"))
    return errors

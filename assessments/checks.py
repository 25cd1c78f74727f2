"""Every system check of the app, registered in `AssessmentsConfig.ready()` (as `django.contrib.auth` does).

- `check_rule_set` (E001, E002): refuse to start on a broken rule set (`manage.py check`, runserver, CI).
- `check_cds_issuers` (I010, `check --deploy`): say so when the CDS Hooks service accepts unsigned calls.
"""

from django.conf import settings
from django.core import checks

from assessments.clinical.references import REFERENCES
from assessments.clinical.rules import cited_source_ids, threshold_tables_in_order
from assessments.ehr.cds_auth import issuers


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


def check_cds_issuers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An open CDS Hooks service in production is allowed (an EHR without JWTs) but must be a choice, so say it.

    Info, not Warning: CI runs `check --deploy --fail-level WARNING` with production settings and no issuers.
    """
    if settings.DEBUG or issuers():
        return []
    return [
        checks.Info(
            "CDS Hooks accepts unsigned requests: HYPOMAG_CDS_ISSUERS is empty.",
            hint='Set HYPOMAG_CDS_ISSUERS to {"<EHR issuer>": {"jwks_url": "https://..."}} (see README.md).',
            id="assessments.I010",
        )
    ]

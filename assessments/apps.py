from django.apps import AppConfig
from django.core import checks


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from assessments import checks as app_checks

        # A broken rule set stops start-up instead of reaching a patient.
        checks.register(app_checks.check_rule_set)
        # `check --deploy` reports a CDS Hooks service open to unsigned calls.
        checks.register(app_checks.check_cds_issuers, checks.Tags.security, deploy=True)

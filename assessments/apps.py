from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        # Registers the rule-set checks, so that a broken rule set stops start-up instead of reaching a patient, and
        # the deploy check that reports a CDS Hooks service open to unsigned calls.
        from assessments import checks  # noqa: F401
        from assessments.ehr import cds_auth  # noqa: F401

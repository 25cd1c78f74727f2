from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        # Registers the rule-set checks, so that a broken rule set stops start-up instead of reaching a patient, and
        # the deploy check that reports a CDS Hooks service open to unsigned calls.
        from assessments import cds_auth, checks  # noqa: F401

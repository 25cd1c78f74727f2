"""URLs of the EHR integration (included from hypomag_site/urls.py): FHIR input, CDS Hooks, the FHIR import page."""

from django.urls import path

from assessments.ehr import views

urlpatterns = [
    path("api/v1/fhir/assessment-input", views.fhir_assessment_input, name="api-fhir-input"),
    # CDS Hooks 2.0: discovery at {base}/cds-services, each service at {base}/cds-services/{id}.
    path("cds-services", views.cds_discovery, name="cds-discovery"),
    path("cds-services/hypomag-patient-view", views.cds_service, name="cds-service"),
    path("cds-services/hypomag-patient-view/feedback", views.cds_feedback, name="cds-feedback"),
    path("import/fhir/", views.fhir_import, name="fhir-import"),
]

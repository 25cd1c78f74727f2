"""URLs of patient records, the ward list, pharmacist review and the audit log.

No patient identifier appears in a URL: records are addressed by their database id only.
"""

from django.urls import path

from assessments.records import views

urlpatterns = [
    path("patients/", views.patient_list, name="patient-list"),
    path("patients/new/", views.patient_create, name="patient-create"),
    path("patients/new/from-assessment/", views.patient_create_from_assessment, name="patient-create-from-assessment"),
    path("patients/<int:pk>/", views.patient_detail, name="patient-detail"),
    path("patients/<int:pk>/timeline.svg", views.patient_timeline_svg, name="patient-timeline"),
    path("assessments/save/", views.assessment_save, name="assessment-save"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/reassess/", views.assessment_reassess, name="assessment-reassess"),
    path("reminders/<int:pk>/", views.reminder_update, name="reminder-update"),
    path("ward/", views.ward, name="ward"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pk>/", views.review_case, name="review-case"),
    path("audit/", views.audit_log, name="audit-log"),
]

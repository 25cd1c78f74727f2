from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("assessments.bedside.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Patients, saved assessments, reminders, the ward list, pharmacist review, the audit log (issue 4).
    path("", include("assessments.records.urls")),
    # Teaching cases, predict-then-reveal, what-if, the rule explorer (issue 5).
    path("", include("assessments.teaching.urls")),
    # FHIR input and CDS Hooks (issue 6).
    path("", include("assessments.ehr.urls")),
    # OpenAPI document and other platform endpoints (issue 7).
    path("", include("assessments.api.urls")),
    path("admin/", admin.site.urls),
]

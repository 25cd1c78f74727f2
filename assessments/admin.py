"""Django admin for administrators: wards, staff wards, patients, and the audit log read-only."""

from django.contrib import admin

from assessments.models import AuditEvent, Patient, StaffProfile, Ward


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "ward"]
    list_select_related = ["user", "ward"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["label", "hospital_id", "ward", "transplant_type", "transplant_date"]
    list_filter = ["ward"]
    list_select_related = ["ward"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Append-only: nobody adds, changes or deletes an event here, superusers included."""

    list_display = ["at", "user", "action", "object_type", "object_id", "patient"]
    list_filter = ["action", "patient", "user"]
    list_select_related = ["user", "patient"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

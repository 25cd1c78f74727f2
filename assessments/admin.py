"""Django admin for administrators: wards, staff wards, patients, users and roles, and the audit log read-only.

Every change made here is a write like any other: `AuditedAdmin` saves and deletes through `services`, which write
the audit event in the same transaction (a patient's identifier, transplant date or ward; a ward; a user; a role,
i.e. a user's groups). What an administrator sees of patients is the record itself (identifier, label, ward,
transplant type and date), never their assessments or plans: those are the clinicians' and pharmacists' pages.
Sign-in records (django-axes' access and failure logs) can be read, never changed or deleted.
"""

from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from assessments import services
from assessments.models import AuditEvent, Patient, StaffProfile, Ward


class AuditedAdmin(admin.ModelAdmin):
    """Saves, many-to-many changes and deletions through the services, each with its audit event."""

    def save_model(self, request, obj, form, change) -> None:
        concrete = {f.name for f in obj._meta.concrete_fields}
        fields = [name for name in form.changed_data if name in concrete]
        services.admin_object_save(user=request.user, obj=obj, fields=fields)

    def save_related(self, request, form, formsets, change) -> None:
        before = {name: self._names(getattr(form.instance, name).all()) for name in self._relations(form)}
        super().save_related(request, form, formsets, change)
        for name, names in before.items():
            after = self._names(getattr(form.instance, name).all())
            services.admin_relations_changed(user=request.user, obj=form.instance, name=name, before=names, after=after)

    def delete_model(self, request, obj) -> None:
        services.admin_object_delete(user=request.user, obj=obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            services.admin_object_delete(user=request.user, obj=obj)

    @staticmethod
    def _relations(form) -> list[str]:
        many = {f.name for f in form.instance._meta.many_to_many}
        return [name for name in form.fields if name in many]

    @staticmethod
    def _names(objects) -> list[str]:
        return [str(obj) for obj in objects]


@admin.register(Ward)
class WardAdmin(AuditedAdmin):
    search_fields = ["name"]


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    list_display = ["user", "ward"]
    list_select_related = ["user", "ward"]


@admin.register(Patient)
class PatientAdmin(AuditedAdmin):
    list_display = ["label", "hospital_id", "ward", "transplant_type", "transplant_date"]
    list_filter = ["ward"]
    list_select_related = ["ward"]
    search_fields = ["hospital_id", "label"]
    readonly_fields = ["created_at", "created_by"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Users and their roles (groups); a password change is audited without the password."""

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            services.admin_password_changed(user=request.user, target=self.get_object(request, id))
        return response


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass


class ReadOnly:
    """Kept as recorded: nobody adds, changes or deletes here, superusers included."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly, admin.ModelAdmin):
    """Append-only."""

    list_display = ["at", "user", "action", "object_type", "object_id", "patient"]
    list_filter = ["action", "patient", "user"]
    list_select_related = ["user", "patient"]


# Sign-in records: who signed in or failed to, when and from where.
for model, model_admin in ((AccessLog, AccessLogAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{model_admin.__name__}", (ReadOnly, model_admin), {}))

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import AuditEvent, Clinic, Invitation, Patient, Physiotherapist, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "paper_size"]
    search_fields = ["name"]


@admin.register(Physiotherapist)
class PhysiotherapistAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic"]
    list_select_related = ["user", "clinic"]
    list_filter = ["clinic"]
    autocomplete_fields = ["user"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "clinic", "physiotherapist", "has_account"]
    list_select_related = ["clinic", "physiotherapist__user"]
    list_filter = ["clinic"]
    search_fields = ["last_name", "first_name", "email"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "patient",
        "email",
        "created_at",
        "expires_at",
        "sent_at",
        "accepted_at",
        "replaced_at",
    ]
    list_select_related = ["patient"]
    readonly_fields = ["email", "created_at", "sent_at", "accepted_at", "replaced_at", "last_error"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "patient", "detail"]
    list_select_related = ["actor", "patient"]
    list_filter = ["action"]
    search_fields = ["patient__last_name", "actor__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

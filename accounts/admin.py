import csv

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, Clinic, Invitation, Patient, Physiotherapist, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal"), {"fields": ("full_name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "paper_size", "is_start_back_enabled"]
    search_fields = ["name"]
    # The logo is uploaded on the clinic settings page, which re-encodes and size-limits it.
    readonly_fields = ["logo"]


@admin.register(Physiotherapist)
class PhysiotherapistAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "is_clinic_admin"]
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


class Echo:
    """A file-like object csv.writer writes one row to at a time (the rows are streamed)."""

    def write(self, value: str) -> str:
        return value


# A cell a spreadsheet would take for a formula (CSV injection) starts with a quote instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("when", "actor email", "action", "patient", "detail")


def csv_cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def audit_csv_rows(events):
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.select_related("actor").order_by("-at", "-id").iterator(chunk_size=500):
        yield writer.writerow(
            [
                event.at.isoformat(),
                event.actor.email if event.actor else "",
                event.get_action_display(),
                csv_cell(event.patient_label),
                csv_cell(event.detail),
            ]
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody adds, changes or deletes an event, here or anywhere."""

    list_display = ["at", "actor", "action", "patient_label", "detail"]
    list_select_related = ["actor"]
    list_filter = ["action", "at"]
    search_fields = ["patient_label", "actor__email", "detail"]
    date_hierarchy = "at"
    actions = ["export_csv"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Export the selected events as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        """The selected events (or, with "select all", every event the filters leave) as a
        CSV download: when, actor email, action, patient, detail."""
        if not request.user.is_staff:  # the admin site lets only staff in; said twice
            raise PermissionDenied
        response = StreamingHttpResponse(
            audit_csv_rows(queryset), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-events-{stamp}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response

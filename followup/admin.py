from django.contrib import admin

from followup.models import Alert, CheckIn


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ("patient", "local_date", "pain", "zone", "feeling", "source", "advice_level")
    list_filter = ("zone", "feeling", "source", "advice_level")
    readonly_fields = [field.name for field in CheckIn._meta.fields]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("patient", "rule_id", "severity", "action", "created_at", "resolution")
    list_filter = ("severity", "action", "rule_id", "resolution")
    readonly_fields = [field.name for field in Alert._meta.fields]

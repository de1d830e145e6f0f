from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinical.vocabulary import PHASE_CODES, REGIONS, STORED_DOSAGE_FIELDS
from exercises.models import VOCABULARY_WORDS, Exercise
from exercises.services import bump_catalogue_version
from exercises.templatetags.exercises import dosage_words


class JSONListFilter(admin.SimpleListFilter):
    """Filter on one value of a JSON list field (regions, phases)."""

    values: tuple[str, ...] = ()

    def lookups(self, request, model_admin):
        return [(value, VOCABULARY_WORDS.get(value, value)) for value in self.values]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.parameter_name}__icontains": f'"{self.value()}"'})
        return queryset


class RegionFilter(JSONListFilter):
    title = _("region")
    parameter_name = "regions"
    values = REGIONS


class PhaseFilter(JSONListFilter):
    title = _("phase")
    parameter_name = "phases"
    values = PHASE_CODES


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "category", "position", "difficulty", "phase_list", "clinic"]
    list_filter = ["category", RegionFilter, PhaseFilter, "difficulty", "position", "clinic"]
    search_fields = ["key", "name", "target_muscles", "steps"]
    list_select_related = ["clinic"]
    raw_id_fields = ["progression", "regression"]
    readonly_fields = ["dosage_in_words", "steps_list", "created_at", "updated_at"]
    fieldsets = (
        (
            None,
            {"fields": ("key", "name", "clinic", "category", "regions", "phases", "difficulty")},
        ),
        (
            _("How"),
            {
                "fields": (
                    "position",
                    "direction",
                    "equipment",
                    "target_muscles",
                    "steps_list",
                    "steps",
                    "cautions",
                    "illustration",
                    "drawing",
                )
            },
        ),
        (
            _("Dosage"),
            {"fields": ("dosage_in_words", *STORED_DOSAGE_FIELDS, "physio_notes", "patient_notes")},
        ),
        (
            _("Selection"),
            {"fields": ("physio_select_only", "exclude_if", "progression", "regression")},
        ),
        (pgettext_lazy("admin fieldset", "Record"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("phases"))
    def phase_list(self, obj):
        return " ".join(obj.phases)

    @admin.display(description=_("dosage in words"))
    def dosage_in_words(self, obj):
        return dosage_words(obj)

    @admin.display(description=_("steps as shown"))
    def steps_list(self, obj):
        return format_html_join("\n", "<div>{}. {}</div>", enumerate(obj.steps, start=1))

    # Every edit here changes a catalogue: give it a new version (its answers' ETags change).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for clinic_id in {obj.clinic_id, form.initial.get("clinic")}:
            bump_catalogue_version(clinic_id=clinic_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_catalogue_version(clinic_id=obj.clinic_id)

    def delete_queryset(self, request, queryset):
        clinic_ids = set(queryset.values_list("clinic_id", flat=True))
        super().delete_queryset(request, queryset)
        for clinic_id in clinic_ids:
            bump_catalogue_version(clinic_id=clinic_id)

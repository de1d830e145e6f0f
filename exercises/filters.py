import django_filters
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clinical.vocabulary import CATEGORIES, DIRECTIONS, PHASE_NAMES, REGIONS
from exercises.catalogue_file import POSITIONS
from exercises.models import Exercise, choices_of


class ExerciseFilter(django_filters.FilterSet):
    """The catalogue facets, shared by the API and the browse pages."""

    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    category = django_filters.ChoiceFilter(
        choices=choices_of(CATEGORIES), label=_("Category"), empty_label=_("Any")
    )
    region = django_filters.ChoiceFilter(
        choices=choices_of(REGIONS), method="filter_region", label=_("Region"), empty_label=_("Any")
    )
    phase = django_filters.ChoiceFilter(
        # The phase names are catalogue messages of the clinical core (translated at render time).
        choices=[(code, format_lazy("{} {}", code, _(name))) for code, name in PHASE_NAMES.items()],
        method="filter_phase",
        label=_("Phase"),
        empty_label=_("Any"),
    )
    difficulty = django_filters.ChoiceFilter(
        choices=[(1, _("1 easy")), (2, _("2 moderate")), (3, _("3 harder"))],
        label=_("Difficulty"),
        empty_label=_("Any"),
    )
    position = django_filters.ChoiceFilter(
        choices=choices_of(POSITIONS), label=_("Position"), empty_label=_("Any")
    )
    direction = django_filters.ChoiceFilter(
        choices=choices_of(DIRECTIONS), label=_("Direction"), empty_label=_("Any")
    )
    equipment = django_filters.CharFilter(method="filter_equipment", label=_("Equipment"))

    class Meta:
        model = Exercise
        fields = [
            "search",
            "category",
            "region",
            "phase",
            "difficulty",
            "position",
            "direction",
            "equipment",
        ]

    def filter_search(self, queryset, name, value):
        # Also by the name in the active language (the catalogue's translations, issue #17).
        return queryset.filter(
            Q(name__icontains=value)
            | Q(**{f"translations__{get_language()}__name__icontains": value})
            | Q(target_muscles__icontains=value)
            | Q(steps__icontains=value)
        )

    def filter_region(self, queryset, name, value):
        return queryset.for_region(value)

    def filter_phase(self, queryset, name, value):
        return queryset.for_phase(value)

    def filter_equipment(self, queryset, name, value):
        if value.strip().lower() in {"none", "no equipment"}:
            return queryset.filter(equipment=[])
        return queryset.filter(equipment__icontains=value)

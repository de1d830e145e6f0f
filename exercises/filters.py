import django_filters
from django.db.models import Q
from django.utils.translation import get_language

from clinical.vocabulary import CATEGORIES, DIRECTIONS, PHASE_NAMES, REGIONS
from exercises.catalogue_file import POSITIONS
from exercises.models import Exercise, choices_of


class ExerciseFilter(django_filters.FilterSet):
    """The catalogue facets, shared by the API and the browse pages."""

    search = django_filters.CharFilter(method="filter_search", label="Search")
    category = django_filters.ChoiceFilter(choices=choices_of(CATEGORIES), empty_label="Any")
    region = django_filters.ChoiceFilter(
        choices=choices_of(REGIONS), method="filter_region", label="Region", empty_label="Any"
    )
    phase = django_filters.ChoiceFilter(
        choices=[(code, f"{code} {name}") for code, name in PHASE_NAMES.items()],
        method="filter_phase",
        label="Phase",
        empty_label="Any",
    )
    difficulty = django_filters.ChoiceFilter(
        choices=[(1, "1 easy"), (2, "2 moderate"), (3, "3 harder")], empty_label="Any"
    )
    position = django_filters.ChoiceFilter(choices=choices_of(POSITIONS), empty_label="Any")
    direction = django_filters.ChoiceFilter(choices=choices_of(DIRECTIONS), empty_label="Any")
    equipment = django_filters.CharFilter(method="filter_equipment", label="Equipment")

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

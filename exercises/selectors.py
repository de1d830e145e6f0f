import hashlib
from collections.abc import Iterable
from typing import Any, cast

from django.db.models import F, Q, QuerySet, Subquery
from django.db.models.query import ValuesIterable
from django.utils.translation import get_language

from accounts.permissions import clinic_id_of
from exercises.models import CatalogueVersion, Exercise, translated_texts
from exercises.signals import patient_exercise_keys as _keys_signal


def patient_exercise_keys(patient) -> set[str]:
    """The keys of the exercises the apps above show this patient (exercises/signals.py)."""
    # django-stubs types each response as `str | None`; a receiver returns any value, here
    # the exercise keys of its app.
    responses = cast(
        "list[tuple[Any, Iterable[str]]]", _keys_signal.send(sender=Exercise, patient=patient)
    )
    return {key for _, keys in responses for key in keys}


def exercises_visible_to(user) -> QuerySet[Exercise]:
    """Global exercises and the user's clinic's own; a patient sees those in their plan.
    Their texts are in the active language (`ExerciseQuerySet.in_language`): for reading."""
    exercises = Exercise.objects.in_language()
    if not user.is_authenticated:
        return exercises.none()
    clinic_id = clinic_id_of(user)
    if clinic_id is not None:
        return exercises.for_clinic(clinic_id)
    if user.is_patient:
        # Keys are unique per clinic only: resolve the plan's keys in the patient's clinic.
        patient = user.patient
        return exercises.for_clinic(patient.clinic_id).filter(
            key__in=patient_exercise_keys(patient)
        )
    if user.is_staff:
        return exercises
    return exercises.none()


# What a catalogue answer reads of an exercise (exercises.serializers.exercise_answer builds
# the JSON from it); the links come as their keys, without building the linked rows.
ANSWER_COLUMNS = (
    "key",
    "clinic_id",
    "name",
    "category",
    "regions",
    "target_muscles",
    "position",
    "direction",
    "equipment",
    "difficulty",
    "phases",
    *Exercise.DOSAGE_FIELDS,
    "physio_notes",
    "patient_notes",
    "physio_select_only",
    "exclude_if",
    "cautions",
    "steps",
    "illustration",
    "translations",  # read by LocalisedValuesIterable, which takes it out of the row
)


# The detail answer also lists the drawing's frames (`illustrations`).
DETAIL_COLUMNS = ("id", "drawing", "picture_file")


class LocalisedValuesIterable(ValuesIterable):
    """Value rows with the catalogue texts in the queryset's language (`translations`, read
    with them, is left out of the row): what `Exercise.localise` does for an instance."""

    def __iter__(self):
        language = getattr(self.queryset, "_shown_language", None) or get_language()
        for row in super().__iter__():
            row.update(translated_texts(row.pop("translations", None), language))
            yield row


def exercise_rows(queryset: QuerySet[Exercise], *, detail: bool = False) -> QuerySet[Any]:
    """The exercises as value rows with what an API answer shows, no model instances; the
    texts in the active language (the same query: the translations are a column)."""
    rows = queryset.values(
        *ANSWER_COLUMNS,
        *(DETAIL_COLUMNS if detail else ()),
        progression_key=F("progression__key"),
        regression_key=F("regression__key"),
    )
    rows._shown_language = get_language()
    rows._iterable_class = LocalisedValuesIterable
    return rows


def _catalogue_clinic_id(user) -> int | None:
    """The clinic whose private catalogue the user reads (a physio's, a patient's), or None."""
    clinic_id = clinic_id_of(user)
    if clinic_id is None and user.is_authenticated and user.is_patient:
        clinic_id = user.patient.clinic_id
    return clinic_id


def with_catalogue_versions(rows: QuerySet[Any], user) -> QuerySet[Any]:
    """Value rows that also carry the versions `catalogue_etag` reads, in the same query (two
    scalar subqueries on the version table), so an unconditional read costs no extra query."""
    clinic_id = _catalogue_clinic_id(user)
    if clinic_id is None:
        return rows
    versions = CatalogueVersion.objects.values("version")
    return rows.annotate(
        global_catalogue_version=Subquery(versions.filter(clinic=None)[:1]),
        clinic_catalogue_version=Subquery(versions.filter(clinic_id=clinic_id)[:1]),
    )


def catalogue_etag(user, *parts: object, row: dict | None = None) -> str:
    """An entity tag for a catalogue answer to `user`: the versions of the catalogues the user
    sees (`CatalogueVersion`), what else decides which exercises they see (their clinic; for a
    patient, the keys of their plan), the active language, and `parts` (which answer: list or
    detail, the query).

    The versions come from `row` when it is a row of `with_catalogue_versions`, else from one
    query on the version table; never from the exercises. A patient's plan keys cost their
    own query.
    """
    clinic_id = _catalogue_clinic_id(user)
    # The language too: the same catalogue answers in each language's texts.
    scope: list[object] = [user.pk, user.is_staff, clinic_id, get_language()]
    if clinic_id is None:  # staff see every clinic's catalogue (others see none)
        versions = CatalogueVersion.objects.values_list("clinic_id", "version")
        scope.append(sorted(versions, key=str))
    elif row is not None and "global_catalogue_version" in row:
        scope += [row["global_catalogue_version"], row["clinic_catalogue_version"]]
    else:
        by_clinic: dict[int | None, Any] = dict(
            CatalogueVersion.objects.filter(Q(clinic=None) | Q(clinic_id=clinic_id)).values_list(
                "clinic_id", "version"
            )
        )
        scope += [by_clinic.get(None), by_clinic.get(clinic_id)]
    if clinic_id_of(user) is None and user.is_patient:
        scope.append(sorted(patient_exercise_keys(user.patient)))
    return hashlib.blake2b(repr((scope, parts)).encode(), digest_size=16).hexdigest()

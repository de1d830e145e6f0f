from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from accounts.permissions import get_physio_or_404
from exercises.filters import ExerciseFilter
from exercises.models import Exercise
from exercises.selectors import exercises_visible_to

CARD_COLUMNS = (
    "key",
    "clinic_id",
    "name",
    "category",
    "regions",
    "phases",
    "difficulty",
    "position",
    "illustration",
    *Exercise.DOSAGE_FIELDS,
)


@login_required
def catalogue(request):
    get_physio_or_404(request.user)
    filterset = ExerciseFilter(request.GET or None, queryset=exercises_visible_to(request.user))
    # Only what a card shows: the steps, cautions and notes of 24 rows are not read.
    exercises = filterset.qs.order_by("key", "id").only(*CARD_COLUMNS)
    page = Paginator(exercises, 24).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "exercises/_results.html" if request.htmx else "exercises/catalogue.html"
    return render(
        request, template, {"filter": filterset, "page": page, "query": query.urlencode()}
    )


@login_required
def exercise_detail(request, key):
    get_physio_or_404(request.user)
    exercise = (
        exercises_visible_to(request.user)
        .select_related("progression", "regression")
        .filter(key=key)
        .first()
    )
    if exercise is None:
        raise Http404("No such exercise.")
    return render(request, "exercises/detail.html", {"exercise": exercise})

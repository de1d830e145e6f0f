from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import get_physio_or_404
from exercises import services
from exercises.filters import ExerciseFilter
from exercises.forms import DrawingBuilderForm, PictureUploadForm
from exercises.illustrations import illustrations_for
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
    "drawing",
    "picture_file",
    "steps",  # the drawing's title and description name the first step
    "translations",  # the name and steps in the active language (issue #17)
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


# The URL carries the drawing's content hash, so a cached copy can live for a year: a
# changed drawing has a new URL. Private: the exercise may be a clinic's own.
DRAWING_CACHE_CONTROL = "private, max-age=31536000, immutable"


@require_GET
@login_required
def exercise_drawing(request, pk, index, digest):
    """One frame of an exercise's drawing as SVG, for anybody who may see the exercise."""
    exercise = exercises_visible_to(request.user).filter(pk=pk).first()
    frames = illustrations_for(exercise) if exercise is not None else ()
    if index >= len(frames) or frames[index].digest != digest:
        raise Http404("No such drawing.")
    response = HttpResponse(frames[index].content, content_type=frames[index].media_type)
    response["Cache-Control"] = DRAWING_CACHE_CONTROL
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _own_exercise_or_404(request, key):
    physio = get_physio_or_404(request.user)
    exercise = (
        exercises_visible_to(request.user).filter(key=key, clinic_id=physio.clinic_id).first()
    )
    if exercise is None:
        raise Http404("No such exercise of your clinic.")
    return exercise


@login_required
def exercise_drawing_builder(request, key):
    """Build the drawing of the clinic's own exercise from library poses, previewed live."""
    exercise = _own_exercise_or_404(request, key)
    form = DrawingBuilderForm(
        request.POST or None, initial={"start": "hook_lying", "end": "hook_lying"}
    )
    if request.method == "POST" and form.is_valid() and "preview" not in request.POST:
        services.update_clinic_exercise(
            exercise=exercise, drawing=form.cleaned_data["drawing"], picture_file=""
        )
        return redirect("exercise-detail", key=exercise.key)
    preview = None
    if form.is_bound and form.is_valid():
        preview = {
            "name": exercise.name,
            "steps": exercise.steps,
            "hold_seconds": exercise.hold_seconds,
            "per_side": exercise.per_side,
            "drawing": form.cleaned_data["drawing"],
        }
    context = {
        "exercise": exercise,
        "form": form,
        "preview": preview,
        "upload_form": PictureUploadForm(),
    }
    if request.htmx:
        return render(request, "exercises/_drawing_preview.html", context)
    return render(request, "exercises/drawing_builder.html", context)


@require_POST
@login_required
def exercise_picture_upload(request, key):
    """Use an uploaded PNG or JPEG as the clinic exercise's picture (re-encoded by Pillow)."""
    exercise = _own_exercise_or_404(request, key)
    upload_form = PictureUploadForm(request.POST, request.FILES)
    if upload_form.is_valid():
        upload = upload_form.cleaned_data["picture"]
        try:
            services.set_clinic_exercise_picture(
                exercise=exercise, data=upload.read(services.MAX_PICTURE_BYTES + 1)
            )
        except ValidationError as error:
            upload_form.add_error(None, error)
        else:
            return redirect("exercise-detail", key=exercise.key)
    context = {
        "exercise": exercise,
        "form": DrawingBuilderForm(initial={"start": "hook_lying", "end": "hook_lying"}),
        "preview": None,
        "upload_form": upload_form,
    }
    return render(request, "exercises/drawing_builder.html", context, status=400)

from django.urls import path

from exercises import views

urlpatterns = [
    path("exercises/", views.catalogue, name="exercise-list"),
    path("exercises/<str:key>/", views.exercise_detail, name="exercise-detail"),
    path(
        "exercises/<str:key>/drawing/",
        views.exercise_drawing_builder,
        name="exercise-drawing-builder",
    ),
    path(
        "exercises/<str:key>/picture/",
        views.exercise_picture_upload,
        name="exercise-picture-upload",
    ),
    path(
        "exercises/drawings/<int:pk>/<int:index>-<str:digest>",
        views.exercise_drawing,
        name="exercise-drawing",
    ),
]

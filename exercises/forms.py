"""The drawing builder for a clinic's own exercise: two library poses, a view and props."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from exercises.illustrations import drawing_from_library, library_poses
from figures import PROPS, PoseError, check_drawing
from figures.pose import VIEWS

# Props that need a place take their default one in the builder (pillow under the head).
PROP_NAMES = {
    "mat": pgettext_lazy("drawing prop", "mat"),
    "chair": pgettext_lazy("drawing prop", "chair"),
    "wall": pgettext_lazy("drawing prop", "wall"),
    "pillow": pgettext_lazy("drawing prop", "pillow"),
    "towel_roll": pgettext_lazy("drawing prop", "towel roll"),
    "strap": pgettext_lazy("drawing prop", "strap"),
    "ball": pgettext_lazy("drawing prop", "ball"),
    "step": pgettext_lazy("drawing prop", "step"),
    "water": pgettext_lazy("drawing prop", "water"),
    "table": pgettext_lazy("drawing prop", "table"),
    "band": pgettext_lazy("drawing prop", "band"),
    "stick": pgettext_lazy("drawing prop", "stick"),
    "box": pgettext_lazy("drawing prop", "box"),
    "bed": pgettext_lazy("drawing prop", "bed"),
    "bike": pgettext_lazy("drawing prop", "bike"),
    "doorway": pgettext_lazy("drawing prop", "doorway"),
    "pack": pgettext_lazy("drawing prop", "pack"),
}
BUILDER_PROPS = tuple((name, PROP_NAMES.get(name, name.replace("_", " "))) for name in PROPS)


VIEW_LABELS = {
    "left": _("From the left"),
    "right": _("From the right"),
    "front": _("From the front"),
    "above": _("From above"),
}


class DrawingBuilderForm(forms.Form):
    view = forms.ChoiceField(
        choices=[(v, VIEW_LABELS[v]) for v in VIEWS],
        label=_("View"),
        help_text=_("Which side of the body faces the reader."),
    )
    start = forms.ChoiceField(label=_("Start pose"))
    end = forms.ChoiceField(label=_("End pose"))
    props = forms.MultipleChoiceField(
        label=_("Props"), choices=BUILDER_PROPS, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(pose.key, pose.label) for pose in library_poses().values()]
        self.fields["start"].choices = choices
        self.fields["end"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        drawing = drawing_from_library(
            view=cleaned["view"],
            start=cleaned["start"],
            end=cleaned["end"],
            props=cleaned["props"],
        )
        try:
            check_drawing(drawing)
        except PoseError as error:
            field = {"frames[0]": "start", "frames[1]": "end"}.get(error.where.split(".")[0])
            if field is None and error.where.startswith("props"):
                field = "props"
            message = (
                _("The start and end poses are the same.")
                if "same as" in error.message
                else error.message
            )
            self.add_error(field, message)
            return cleaned
        cleaned["drawing"] = drawing
        return cleaned


class PictureUploadForm(forms.Form):
    picture = forms.FileField(
        label=_("Or upload a picture (PNG or JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_("Re-encoded and fitted to 800 x 600; no SVG (it can carry script)."),
    )

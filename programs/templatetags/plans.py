from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, [])


@register.inclusion_tag("programs/_current_plan.html")
def current_plan_summary(patient):
    """The patient's current published revision: the only plan content a patient sees."""
    from programs.selectors import current_revision

    revision = current_revision(patient)
    if revision is None:
        return {"revision": None, "patient": patient}
    snapshot = revision.snapshot
    phase = next(
        (p for p in snapshot["phases"] if p["code"] == snapshot["current_phase"]),
        snapshot["phases"][0],
    )
    return {"revision": revision, "phase": phase, "patient": patient}

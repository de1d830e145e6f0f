"""The hooks programs offers the apps above it (the dependency rule: a lower app never
imports a higher one; it names what happened and the higher apps register for it).

Receivers connect in their AppConfig.ready(), run in INSTALLED_APPS order inside the
caller's transaction, and an exception in one rolls the whole workflow back.
"""

from django.dispatch import Signal

# A plan was published: sent with `plan` and `revision` (documents renders the PDF,
# reminders starts the default schedule).
plan_published = Signal()

# A patient's safety concern was raised or made more severe (`concern`): reminders pause.
safety_concern_raised = Signal()
# A physio closed it (`concern`): reminders paused for it resume.
safety_concern_resolved = Signal()

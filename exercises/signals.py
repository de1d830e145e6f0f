"""The hooks exercises offers the apps above it (it never imports them).

Receivers connect in their AppConfig.ready().
"""

from django.dispatch import Signal

# Which exercises may this patient see? Sent with `patient`; each receiver returns the
# exercise keys its app shows the patient (programs: those of the published plan).
patient_exercise_keys = Signal()

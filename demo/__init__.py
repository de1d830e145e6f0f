"""Demo data for `make run`: the top layer, so it may use every app."""

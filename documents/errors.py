class TransientRenderError(Exception):
    """Storage failed in a way worth retrying; the row went back to `pending`."""

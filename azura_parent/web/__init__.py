"""The web dashboard: every voice channel's music in one page, controlled from the browser (``app.Dashboard``).

This package's ``__init__`` imports nothing, so the parent's configuration can read ``config.WebConfig`` alone."""

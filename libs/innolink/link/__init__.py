"""Stage `link`: patent applicants -> listed firms (names, blocking, scoring, evaluation)."""

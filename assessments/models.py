"""Saved assessments and their review come in a later issue; until then HypoMag stores nothing."""

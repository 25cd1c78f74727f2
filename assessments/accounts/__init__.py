"""Signing in: each role lands on its work, and what was typed on the bedside page survives the sign-in."""

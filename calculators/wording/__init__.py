"""Wording: every sentence, label and unit word a reader sees, built from domain values."""

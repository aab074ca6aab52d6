"""Stored assessments: the canonical assessment as rows, its upload, sharing and reads."""

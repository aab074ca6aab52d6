"""Shared foundations: settings, database, errors, ids, time. Imports no domain package."""

"""Bulk facility uploads: a CSV or XLSX list stored with per-row status, processed as a job."""

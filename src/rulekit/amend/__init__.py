"""Amendments: what changed between two versions of a policy, and what the change does to records and staff."""

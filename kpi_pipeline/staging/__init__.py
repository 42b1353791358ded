"""Conformed staging tables (latest version of every record) and the quarantine."""

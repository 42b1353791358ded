"""Alerts to responsible units that turned or stayed red: see docs/leaders.md."""

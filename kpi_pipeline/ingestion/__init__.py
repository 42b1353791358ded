"""Pulling the two portals into the warehouse: clients, streaming loader, raw and reference assets."""

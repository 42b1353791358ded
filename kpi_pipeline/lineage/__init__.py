"""Unit lineage across the 2025 reform and KPIs on today's map (docs/REFORM-2025.md)."""

"""The 766-style score per unit and month (Decision 766/QĐ-TTg): see docs/leaders.md."""

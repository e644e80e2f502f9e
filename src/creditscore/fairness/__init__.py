"""creditscore.fairness (in progress)."""

"""creditscore.records (in progress)."""

"""creditscore.tracking (in progress)."""

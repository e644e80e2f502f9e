"""creditscore.models (in progress)."""

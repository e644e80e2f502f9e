"""creditscore.features (in progress)."""

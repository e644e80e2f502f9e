"""creditscore.explain (in progress)."""

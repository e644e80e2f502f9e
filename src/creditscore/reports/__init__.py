"""creditscore.reports (in progress)."""

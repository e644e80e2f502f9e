"""creditscore.synth (in progress)."""

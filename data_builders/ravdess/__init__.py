"""RAVDESS speech-audio dataset builder (see README.md)."""

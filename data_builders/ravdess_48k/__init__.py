"""RAVDESS at 48 kHz dataset builder (see ../ravdess/README.md)."""

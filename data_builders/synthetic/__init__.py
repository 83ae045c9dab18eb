"""Synthetic acted-emotion dataset builder (see README.md)."""

"""URDU dataset builder (see README.md)."""

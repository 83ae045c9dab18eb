"""EMOVO dataset builder (see README.md)."""

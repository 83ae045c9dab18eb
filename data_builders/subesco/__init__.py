"""SUBESCO dataset builder (see README.md)."""

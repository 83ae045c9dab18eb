"""nEMO dataset builder (see README.md)."""

"""ShEMO dataset builder (see README.md)."""

"""EMO-DB dataset builder (see README.md)."""

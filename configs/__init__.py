"""Experiment configs: one `get_config(arg)` module per experiment."""

import importlib
from pathlib import Path

import ml_collections


def load(name: str, arg: str | None = None) -> ml_collections.ConfigDict:
    """`configs/<name>.py`'s config for `arg` (e.g. "corpus=ravdess,protocol=losgo")."""
    return importlib.import_module(f"configs.{name}").get_config(arg or None)


def names(method: str = "neural") -> list[str]:
    """The configs whose `method` is `method` ("neural" when unset), by file name."""
    found = []
    for path in sorted(Path(__file__).parent.glob("*.py")):
        module = importlib.import_module(f"configs.{path.stem}")
        if hasattr(module, "get_config"):
            if module.get_config().get("method", "neural") == method:
                found.append(path.stem)
    return found

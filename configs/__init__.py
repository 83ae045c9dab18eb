"""Experiment configs: one `get_config(arg)` module per experiment."""

import importlib
from pathlib import Path

import ml_collections

from ser_jax import methods


def load(name: str, arg: str | None = None) -> ml_collections.ConfigDict:
    """`configs/<name>.py`'s config for `arg` (e.g. "corpus=ravdess,protocol=losgo")."""
    return importlib.import_module(f"configs.{name}").get_config(arg or None)


def names(method: str = "neural") -> list[str]:
    """The configs of `method` (`ser_jax.methods`; "neural" when unset), by file
    name; former names kept as aliases (a module's `ALIAS_OF`) are left out."""
    wanted = methods.get(method)
    found = []
    for path in sorted(Path(__file__).parent.glob("*.py")):
        module = importlib.import_module(f"configs.{path.stem}")
        if hasattr(module, "get_config") and not hasattr(module, "ALIAS_OF"):
            if methods.of(module.get_config()) is wanted:
                found.append(path.stem)
    return found

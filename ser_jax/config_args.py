"""Config-file arguments: `configs/x.py:corpus=ravdess,quick=True` (big_vision style)."""

from __future__ import annotations

import ast


def parse(arg: str | None, **defaults) -> dict:
    """Parses `key=value,key=value` into a dict over `defaults`.

    Values are Python literals where they parse as one (`3`, `0.5`, `True`),
    strings otherwise. Unknown keys are an error, so a typo does not pass
    silently.
    """
    values = dict(defaults)
    for item in filter(None, (arg or "").split(",")):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep:
            raise ValueError(f"Config argument {item!r} is not key=value")
        if key not in defaults:
            raise ValueError(
                f"Unknown config argument {key!r}; known: {sorted(defaults)}"
            )
        try:
            values[key] = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            values[key] = raw.strip()
    return values

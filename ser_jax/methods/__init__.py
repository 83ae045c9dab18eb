"""The methods, one record each, and `run`: the one way to run a config.

A method turns a config into a finished workdir (`train_and_evaluate`), under
the protocol every method shares (`experiment`). The other modules read a
method's record instead of comparing names; a new method is one module and one
line in `METHODS`. This is the only module that imports every method.

| `config.method`     | module      | what runs per fold                                |
|---------------------|-------------|---------------------------------------------------|
| `neural` (default)  | `neural`    | one model, trained with `trainer.FoldRunner`      |
| `two_step`          | `two_step`  | Satt's 4-class model + 3 neutral-vs-X models      |
| `baseline`          | `baseline`  | openSMILE / hand-built features + scikit-learn    |
| `ensemble`          | `ensemble`  | several models, combined on their class scores    |

`sklearn`, the baselines' former name, still names `baseline`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import ml_collections

from ser_jax.frontends import FrontendLike
from ser_jax.methods import baseline, ensemble, neural, two_step
from ser_jax.methods.experiment import RENAMED_METHODS
from ser_jax.methods.scoring import Scorer

DEFAULT = "neural"


@dataclasses.dataclass(frozen=True)
class Method:
    """What the rest of ser_jax needs to know of a method."""

    name: str
    # Runs the configured protocol, writes workdir/results.json, returns it.
    train_and_evaluate: Callable[[ml_collections.ConfigDict, str | Path], dict]
    # A report's "model / method" cell for one results.json.
    describe: Callable[[dict], str]
    # Cuts audio into segments by `config.segmentation` / `max_segment_seconds`
    # (the snippet-length study sets them).
    segments_audio: bool
    # Scores new recordings with a run's finished folds (`ser_jax.classify`),
    # or None when the method cannot.
    load_scorer: (
        Callable[
            [ml_collections.ConfigDict, Sequence[str], Sequence[Path], FrontendLike],
            Scorer,
        ]
        | None
    )


METHODS = {
    m.name: m
    for m in (
        Method(
            "neural",
            neural.train_and_evaluate,
            neural.describe,
            segments_audio=True,
            load_scorer=neural.load_scorer,
        ),
        Method(
            "two_step",
            two_step.train_and_evaluate,
            two_step.describe,
            segments_audio=True,
            load_scorer=two_step.TwoStepScorer,
        ),
        Method(
            "baseline",
            baseline.train_and_evaluate,
            baseline.describe,
            segments_audio=False,
            load_scorer=None,
        ),
        Method(
            "ensemble",
            ensemble.train_and_evaluate,
            ensemble.describe,
            segments_audio=True,
            load_scorer=None,
        ),
    )
}


def get(name: str | None) -> Method:
    """The method named `name` (or a former name of it); None is the default."""
    name = RENAMED_METHODS.get(name or DEFAULT, name or DEFAULT)
    if name not in METHODS:
        raise ValueError(
            f"config.method must be one of {sorted(METHODS)}, got {name!r}"
        )
    return METHODS[name]


def of(config: ml_collections.ConfigDict | dict) -> Method:
    """The method of a config (a ConfigDict, or a stored config.json dict)."""
    return get(config.get("method"))


def run(config: ml_collections.ConfigDict, workdir: str | Path) -> dict:
    """Runs `config.method` ("neural" when absent) on `workdir`; returns results.json.

    `ser_jax.main` and every study run experiments through it.
    """
    return of(config).train_and_evaluate(config, workdir)

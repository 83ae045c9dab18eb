"""Per-fold Orbax checkpoints: `latest` to resume a killed run, `best` to evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jax
import numpy as np
import orbax.checkpoint as ocp


class FoldCheckpoints:
    """Two managers of one checkpoint each: the latest epoch and the best on validation.

    Each checkpoint holds the unreplicated NNX state (model + optimizer, as a
    pure dict) and JSON metadata (epoch, best validation UAR, history).
    """

    def __init__(self, directory: str | Path):
        directory = Path(directory).absolute()
        options = ocp.CheckpointManagerOptions(max_to_keep=1, create=True)
        self.latest = ocp.CheckpointManager(directory / "latest", options=options)
        self.best = ocp.CheckpointManager(directory / "best", options=options)

    @staticmethod
    def _save(
        manager: ocp.CheckpointManager, step: int, state: Any, meta: dict
    ) -> None:
        manager.save(
            step,
            args=ocp.args.Composite(
                state=ocp.args.StandardSave(jax.device_get(state)),
                meta=ocp.args.JsonSave(meta),
            ),
            force=True,
        )

    def save_latest(self, epoch: int, state: Any, meta: dict) -> None:
        self._save(self.latest, epoch, state, meta)

    def save_best(self, epoch: int, state: Any, meta: dict) -> None:
        self._save(self.best, epoch, state, meta)

    @staticmethod
    def _restore(
        manager: ocp.CheckpointManager, template: Any
    ) -> tuple[Any, dict] | None:
        step = manager.latest_step()
        if step is None:
            return None
        abstract = jax.tree.map(
            lambda x: jax.ShapeDtypeStruct(np.shape(x), np.asarray(x).dtype), template
        )
        restored = manager.restore(
            step,
            args=ocp.args.Composite(
                state=ocp.args.StandardRestore(abstract), meta=ocp.args.JsonRestore()
            ),
        )
        return restored.state, restored.meta

    def restore_latest(self, template: Any) -> tuple[Any, dict] | None:
        """(state, meta) of the latest epoch, or None when the fold has not started."""
        return self._restore(self.latest, template)

    def restore_best(self, template: Any) -> tuple[Any, dict] | None:
        return self._restore(self.best, template)

    def wait_until_finished(self) -> None:
        self.latest.wait_until_finished()
        self.best.wait_until_finished()

    def close(self) -> None:
        self.latest.close()
        self.best.close()

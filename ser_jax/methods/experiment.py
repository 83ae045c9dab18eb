"""What every method shares: a corpus and its folds, one experiment per workdir,
finished folds skipped on resume, and one results.json schema.

The methods (`ser_jax.methods`: neural, two_step, baseline) differ only in how
they run one fold. Each calls `start` to claim its workdir and get an
`Experiment`, runs the folds through `Experiment.run` and writes results.json
with `Experiment.write_results`. This module imports no method.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import ml_collections
from absl import logging

from ser_jax import plots, results
from ser_jax.data import protocols
from ser_jax.data.corpus import Corpus
from ser_jax.data.load import load_corpus
from ser_jax.models import RENAMED_MODELS


@dataclasses.dataclass
class Experiment:
    """A configured protocol on a loaded corpus, bound to its workdir."""

    config: ml_collections.ConfigDict
    workdir: Path
    corpus: Corpus
    protocol: str
    folds: list[protocols.Fold]

    @property
    def selected(self) -> list[int]:
        """`config.fold` alone, or every fold for -1."""
        return (
            [self.config.fold]
            if self.config.fold >= 0
            else list(range(len(self.folds)))
        )

    def describe(self) -> str:
        """The corpus and protocol in a log line's words."""
        return (
            f"{self.corpus.name}: {len(self.corpus.labels)} utterances, "
            f"{len(self.corpus.speaker_ids)} speakers, {self.protocol} with "
            f"{len(self.folds)} folds"
        )

    def fold_dir(self, k: int) -> Path:
        return self.workdir / f"fold_{k:02d}"

    def is_done(self, k: int) -> bool:
        return (self.fold_dir(k) / "fold_result.json").exists()

    @property
    def pending(self) -> list[int]:
        """The selected folds not finished yet: what `run` will train."""
        return [k for k in self.selected if not self.is_done(k)]

    def run(self, run_fold: Callable[[protocols.Fold, Path], dict]) -> list[dict]:
        """Runs each selected fold not finished yet; returns every finished record."""
        for k in self.selected:
            if self.is_done(k):
                logging.info("Fold %d already done; skipping.", k)
                continue
            self.fold_dir(k).mkdir(exist_ok=True)
            record = run_fold(self.folds[k], self.fold_dir(k))
            results.write_json(self.fold_dir(k) / "fold_result.json", record)
            fold = self.folds[k]
            logging.info(
                "Fold %d/%d test (%s): utterance UAR %.1f%%, WA %.1f%%",
                k + 1,
                len(self.folds),
                f"speakers {','.join(fold.test_speakers)}"
                if fold.speaker_independent
                else f"{fold.random_split}, speaker DEPENDENT",
                100 * record["test"]["utterance"]["uar"],
                100 * record["test"]["utterance"]["wa"],
            )
        return [
            json.loads(p.read_text())
            for p in sorted(self.workdir.glob("fold_*/fold_result.json"))
        ]

    def write_results(self, records: Sequence[dict], title: str, **extra) -> dict:
        """results.json (config, protocol with every fold's speakers, folds,
        pooled and mean ± std summaries, plus `extra`) and the confusion PNG.

        Several corpora add `corpora`: their names, the emotions they share
        (before any dataset.label_map) and each one's map onto them.
        """
        maps = self.corpus.label_maps
        corpora = {}
        if maps:
            corpora["corpora"] = {
                "names": list(maps),
                "shared_classes": list(next(iter(maps.values())).values()),
                "label_maps": maps,
            }
        out = {
            "corpus": self.corpus.name,
            "class_names": self.corpus.class_names,
            **corpora,
            "config": self.config.to_dict(),
            # False for the papers' random splits: never compare or pool
            # with the speaker-independent runs (`ser_jax.report` keeps apart).
            "speaker_independent": protocols.is_speaker_independent(self.protocol),
            "protocol": {
                "name": self.protocol,
                "num_folds": len(self.folds),
                "seed": self.config.protocol.seed,
                "folds": [f.to_dict() for f in self.folds],
            },
            **extra,
            "folds": list(records),
            "summary": results.summarize(records, self.corpus.class_names),
        }
        results.write_json(self.workdir / "results.json", out)
        plots.save_confusion_png(
            out["summary"]["utterance"]["pooled"]["confusion_matrix"],
            self.corpus.class_names,
            self.workdir / "confusion_matrix.png",
            title=f"{title}, pooled over {len(records)} folds (utterances)",
        )
        return out


# Methods renamed since runs were made (old name -> name): their workdirs
# resume and their results.json files report under the new name.
RENAMED_METHODS = {"sklearn": "baseline"}


def check_same_experiment(
    path: Path, config: ml_collections.ConfigDict, resumable_fields: Sequence[str]
) -> None:
    """A workdir holds one experiment: resuming with another config is an error.

    `resumable_fields` may differ between invocations (which fold, how many
    devices or jobs); so may where the data lives. A field the stored config
    lacks (added to ser_jax since the run started) counts as the same while it
    is off (0, "", empty), so runs from older versions resume; so do methods and
    models renamed since (`RENAMED_METHODS`, `models.RENAMED_MODELS`).
    """
    if not path.exists():
        return

    def comparable(d: dict) -> dict:
        d = {k: v for k, v in d.items() if k not in resumable_fields}
        if "method" in d:
            d["method"] = RENAMED_METHODS.get(d["method"], d["method"])
        if isinstance(d.get("model"), dict) and "name" in d["model"]:
            name = d["model"]["name"]
            d["model"] = {**d["model"], "name": RENAMED_MODELS.get(name, name)}
        d["dataset"] = {
            k: v for k, v in d["dataset"].items() if k not in ("data_dir", "manual_dir")
        }
        return json.loads(json.dumps(d))  # tuples -> lists, as stored

    old, new = comparable(json.loads(path.read_text())), comparable(config.to_dict())
    new = _without_new_fields_that_are_off(old, new)
    if old != new:
        diff = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        raise ValueError(
            f"{path.parent} holds a run with another config (differs in {diff}). "
            "Use a new --workdir, or the same config to resume."
        )


def _is_off(value) -> bool:
    if isinstance(value, dict):
        return all(_is_off(v) for v in value.values())
    return not value


def _without_new_fields_that_are_off(old: dict, new: dict) -> dict:
    out = {}
    for key, value in new.items():
        if key not in old:
            if not _is_off(value):
                out[key] = value
        elif isinstance(value, dict) and isinstance(old[key], dict):
            out[key] = _without_new_fields_that_are_off(old[key], value)
        else:
            out[key] = value
    return out


def start(
    config: ml_collections.ConfigDict,
    workdir: str | Path,
    resumable_fields: Sequence[str],
) -> Experiment:
    """Loads the corpus, makes the folds, and claims the workdir for this config."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus(config.dataset)
    corpus_of = corpus.speaker_corpora()
    protocol = protocols.resolve_protocol(
        config.protocol.name, len(corpus.speaker_ids), len(set(corpus_of.values()))
    )
    folds = protocols.make_folds(
        corpus.speaker_ids,
        corpus.speaker_genders(),
        protocol,
        num_groups=config.protocol.num_groups,
        num_val_speakers=config.protocol.num_val_speakers,
        seed=config.protocol.seed,
        corpus_of=corpus_of,
        test_corpus=config.protocol.test_corpus,
        session_of=corpus.speaker_sessions(),
        split_fractions=config.protocol.get("split_fractions", ()),
    )
    if config.fold >= len(folds):
        raise ValueError(f"fold={config.fold}, but the protocol has {len(folds)} folds")
    check_same_experiment(workdir / "config.json", config, resumable_fields)
    results.write_json(workdir / "config.json", config.to_dict())
    return Experiment(config, workdir, corpus, protocol, folds)

"""Checks a built corpus against the official counts stored beside its builder.

    python -m ser_jax.check_corpus ravdess [--data_dir=DIR]

`data_builders/<name>/counts.json` holds, per builder config ("default" for a
builder without configs), the counts the corpus's distributors and papers
give, with their source: utterances, speakers by sex, and utterances per
emotion (by the builder's own emotion names). Every difference is printed;
the exit status is 1 if there is one. A built corpus that differs is either
an incomplete or altered copy, or a builder that misreads it.
"""

from __future__ import annotations

import argparse
import collections
import inspect
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import tensorflow_datasets as tfds

import data_builders  # noqa: F401  (registers the builders)
from ser_jax.data.load import SPLIT_PREFIX, gender_name

COUNTS_FILE = "counts.json"


def expected_counts(builder: tfds.core.DatasetBuilder) -> dict:
    """The official counts of the builder's corpus and config (`counts.json`
    beside its module or, for a builder of the same files as another, such as
    `ravdess_48k`, beside the module of the builder it extends)."""
    folders = [
        Path(inspect.getfile(cls)).parent
        for cls in type(builder).__mro__
        if issubclass(cls, tfds.core.DatasetBuilder)
        and cls.__module__.startswith("data_builders.")
    ]
    path = next(
        (f / COUNTS_FILE for f in folders if (f / COUNTS_FILE).exists()),
        folders[0] / COUNTS_FILE if folders else Path(COUNTS_FILE),
    )
    if not path.exists():
        raise FileNotFoundError(f"{builder.name} has no official counts ({path})")
    table = json.loads(path.read_text())
    config = builder.builder_config.name if builder.builder_config else "default"
    if config not in table:
        raise KeyError(
            f"{path} has no counts for config {config!r}; it has {sorted(table)}"
        )
    return table[config]


def observed_counts(builder: tfds.core.DatasetBuilder) -> dict:
    """Utterances, speakers by sex and utterances per emotion of a built corpus
    (every speaker split; the audio is not decoded)."""
    info = builder.info
    emotion, gender = info.features["emotion"], info.features["gender"]
    emotions, speakers, total = collections.Counter(), {}, 0
    for split in sorted(info.splits):
        if not split.startswith(SPLIT_PREFIX):
            continue
        ds = builder.as_dataset(
            split=split, decoders={"audio": tfds.decode.SkipDecoding()}
        )
        for ex in tfds.as_numpy(
            ds.map(lambda ex: {k: ex[k] for k in ex if k != "audio"})
        ):
            total += 1
            emotions[emotion.int2str(int(ex["emotion"]))] += 1
            speakers[ex["speaker"].decode()] = gender_name(gender, int(ex["gender"]))
    return {
        "utterances": total,
        "speakers": dict(collections.Counter(speakers.values())),
        "emotions": dict(emotions),
    }


def differences(expected: dict, observed: dict) -> list[str]:
    """One line per count that differs (counts the expected table lacks are not
    compared; an emotion built but not expected is a difference)."""
    out = []

    def compare(what: str, want, got) -> None:
        if want != got:
            out.append(f"{what}: official {want}, built {got}")

    if "utterances" in expected:
        compare("utterances", expected["utterances"], observed["utterances"])
    for sex, n in expected.get("speakers", {}).items():
        compare(f"{sex} speakers", n, observed["speakers"].get(sex, 0))
    if "emotions" in expected:
        for name in sorted(expected["emotions"].keys() | observed["emotions"].keys()):
            compare(
                f"emotion {name!r}",
                expected["emotions"].get(name, 0),
                observed["emotions"].get(name, 0),
            )
    return out


def check_corpus(name: str, data_dir: str | None = None) -> list[str]:
    """The differences between the built corpus `name` (e.g. `ravdess`,
    `iemocap/four_class`) and its official counts; [] when it matches."""
    builder = tfds.builder(name, data_dir=data_dir)
    if not builder.is_prepared():
        raise FileNotFoundError(
            f"{name} is not built in {builder.data_dir_root}: run `tfds build "
            f"data_builders/{builder.name} --manual_dir=PATH` first."
        )
    return differences(expected_counts(builder), observed_counts(builder))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ser_jax.check_corpus", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("name", help="TFDS name, e.g. ravdess or iemocap/four_class")
    parser.add_argument("--data_dir", default=None, help="TFDS data dir")
    args = parser.parse_args(argv)
    try:
        found = check_corpus(args.name, args.data_dir)
    except (FileNotFoundError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for line in found:
        print(f"{args.name}: {line}")
    if not found:
        print(f"{args.name}: matches its official counts.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

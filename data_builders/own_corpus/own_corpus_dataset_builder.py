"""Your own corpus: labelled audio files described by a table or a file-name pattern.

    tfds build data_builders/own_corpus --manual_dir=~/corpora/mine \
        --config='{"name": "mine", "labels": "labels.csv",
                   "emotions": ["anger", "happiness", "neutral", "sadness"]}'

then `--config.dataset.corpus=own_corpus/mine` in any ser_jax config. The
config (a JSON object on the command line, `OwnCorpusConfig` in Python) says
how to read the corpus in manual_dir:

- `labels`: a CSV or TSV file (by its extension) with the columns `path`
  (relative to manual_dir), `speaker`, `emotion`, optionally `gender` and any
  other columns named in `extra_columns` (kept as text features); or
- `pattern`: a regular expression matched against every audio file's path
  relative to manual_dir (every file under it whose name matches
  `audio_files`, `*.wav` by default), whose named groups `speaker`,
  `emotion` and optionally `gender` give the labels.

`emotions` lists every emotion name (the ClassLabel, in this order); use your
corpus's own names: ser_jax maps them onto its shared names by synonyms
(`ser_jax/data/emotions.py`), so several corpora combine. Gender comes from
the `gender` column or group (female/male, f/m, w), or from
`speaker_genders` (`{"spk1": "female", ...}`); one of them is required (the
protocols mix genders in speaker groups). One split per speaker, as every
ser_jax corpus.
"""

from __future__ import annotations

import csv
import dataclasses
import pathlib
import re
from typing import Any

import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

GENDER_NAMES = {
    "female": "female",
    "f": "female",
    "w": "female",
    "male": "male",
    "m": "male",
}


@dataclasses.dataclass
class OwnCorpusConfig(tfds.core.BuilderConfig):
    """How to read a corpus in manual_dir (see the module docstring)."""

    labels: str = ""
    pattern: str = ""
    audio_files: str = "*.wav"
    emotions: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = ()
    speaker_genders: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if bool(self.labels) == bool(self.pattern):
            raise ValueError(
                f"own_corpus config {self.name!r}: give exactly one of `labels` "
                "(a CSV/TSV file in manual_dir) and `pattern` (a regular expression "
                "over file paths)"
            )
        if not self.emotions:
            raise ValueError(
                f"own_corpus config {self.name!r}: `emotions` must list every "
                "emotion name"
            )
        self.emotions = tuple(self.emotions)
        self.extra_columns = tuple(self.extra_columns)


def gender_of(value: str, where: str) -> str:
    """`female` or `male` from the usual spellings; anything else is an error."""
    gender = GENDER_NAMES.get(value.strip().lower())
    if gender is None:
        raise ValueError(
            f"{where}: gender {value!r} is not one of {sorted(GENDER_NAMES)}"
        )
    return gender


class Builder(tfds.core.GeneratorBasedBuilder):
    """DatasetBuilder for a corpus described by an `OwnCorpusConfig`."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [
        # The layout of dummy_data/: a label table (see README.md).
        OwnCorpusConfig(
            name="example",
            description="dummy_data/'s label table: 3 speakers, 4 emotions.",
            labels="labels.csv",
            emotions=("anger", "happiness", "neutral", "sadness"),
            extra_columns=("sentence",),
        ),
    ]
    MANUAL_DOWNLOAD_INSTRUCTIONS = """\
    manual_dir holds your corpus: its audio files (any format libsndfile or
    FFmpeg reads, any sample rate) and, for a `labels` config, the label table.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        config = self.builder_config
        return self.dataset_info_from_configs(
            features=builder_utils.core_features(
                config.emotions,
                **{column: tfds.features.Text() for column in config.extra_columns},
            ),
            supervised_keys=("audio", "emotion"),
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        config = self.builder_config
        what_to_put = (
            f"Put your corpus there: its audio files and, for config {config.name!r}, "
            + (
                f"the label table {config.labels}."
                if config.labels
                else "nothing else."
            )
        )
        root = builder_utils.manual_dir_or_none(dl_manager, what_to_put)
        if root is None:
            raise builder_utils.ManualDirError(
                f"own_corpus needs --manual_dir. {what_to_put}"
            )
        rows = self._table_rows(root) if config.labels else self._pattern_rows(root)
        by_speaker: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for where, row in rows:
            labels = self._labels(row, where)
            by_speaker.setdefault(labels["speaker"], []).append((row["path"], labels))
        return builder_utils.speaker_split_generators(
            root,
            by_speaker,
            f"No labelled audio found in {root}",
            what_to_put,
            self._generate_examples,
        )

    def _generate_examples(self, root: epath.Path, files):
        return builder_utils.generate_examples(root, files)

    def _table_rows(self, root: epath.Path):
        """(where, row) of the label table; its delimiter follows its extension."""
        config = self.builder_config
        path = root / config.labels
        if not path.exists():
            raise builder_utils.ManualDirError(
                f"The label table {path} does not exist (config {config.name!r})."
            )
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
        with path.open() as f:
            reader = csv.DictReader(f, delimiter=delimiter)
            reader.fieldnames = [c.strip() for c in reader.fieldnames or []]
            needed = {"path", "speaker", "emotion", *config.extra_columns}
            if missing := needed - set(reader.fieldnames):
                raise ValueError(
                    f"{path}: missing columns {sorted(missing)}; it has "
                    f"{reader.fieldnames}"
                )
            for line, row in enumerate(reader, start=2):
                yield f"{path}:{line}", {k: (v or "").strip() for k, v in row.items()}

    def _pattern_rows(self, root: epath.Path):
        """(where, row) of every audio file whose relative path matches `pattern`
        (manual_dir is a local folder: searched recursively)."""
        config = self.builder_config
        regex = re.compile(config.pattern)
        local = pathlib.Path(str(root))
        for path in sorted(local.rglob(config.audio_files)):
            rel = path.relative_to(local).as_posix()
            if match := regex.fullmatch(rel):
                yield str(path), {"path": rel, **match.groupdict()}

    def _labels(self, row: dict[str, str], where: str) -> dict[str, Any]:
        config = self.builder_config
        emotion, speaker = row.get("emotion") or "", row.get("speaker") or ""
        if emotion not in config.emotions:
            raise ValueError(
                f"{where}: emotion {emotion!r} is not among the config's emotions "
                f"{list(config.emotions)}"
            )
        if not speaker:
            raise ValueError(f"{where}: no speaker")
        if row.get("gender"):
            gender = gender_of(row["gender"], where)
        elif speaker in config.speaker_genders:
            gender = gender_of(config.speaker_genders[speaker], where)
        else:
            raise ValueError(
                f"{where}: no gender for speaker {speaker!r} (a `gender` column or "
                "group, or the config's `speaker_genders`)"
            )
        return {
            "emotion": emotion,
            "speaker": speaker,
            "gender": gender,
            **{column: row.get(column, "") for column in config.extra_columns},
        }

"""nEMO, emotional speech in Polish (9 actors, 6 emotional states, 4481 clips)."""

from __future__ import annotations

import collections
import csv
import re

import numpy as np
import tensorflow_datasets as tfds
from absl import logging
from etils import epath

from data_builders import builder_utils

REPOSITORY = "https://github.com/amu-cai/nEMO"
ZIP_NAME = "nEMO-main.zip"  # GitHub's "Download ZIP" of the repository.
METADATA = "data.tsv"
SAMPLES = "samples"
COLUMNS = (
    "file_id",
    "emotion",
    "raw_text",
    "normalized_text",
    "speaker_id",
    "gender",
    "age",
)

# The corpus's own labels (data.tsv and file names); "surprised", not
# "surprise", is how nEMO writes it.
EMOTIONS = ("anger", "fear", "happiness", "neutral", "sadness", "surprised")

# EB0_anger_13.wav: {speaker_id}_{emotion}_{sentence_id}.wav (README).
_NAME_RE = re.compile(r"^([A-Za-z0-9]+)_([a-z]+)_(\d+)\.wav$")

_WHAT_TO_PUT = (
    f"Put nEMO there: a clone of {REPOSITORY}, its Download ZIP "
    f"({ZIP_NAME}), or their content, i.e. the file {METADATA} and the "
    f"folder {SAMPLES}/ holding files like EB0_anger_13.wav."
)


def parse_file_name(name: str) -> dict:
    """Speaker, emotion and sentence id of a nEMO file name."""
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(f"{name}: not a nEMO file name (e.g. EB0_anger_13.wav)")
    speaker, emotion, sentence = m.groups()
    if emotion not in EMOTIONS:
        raise ValueError(f"{name}: unknown nEMO emotion {emotion}")
    return {"speaker": speaker, "emotion": emotion, "sentence_id": int(sentence)}


def read_metadata(path: epath.Path) -> list[tuple[int, dict[str, str]]]:
    """``[(line number, row), ...]`` of data.tsv, fields stripped of whitespace.

    ``speaker_id`` is written with leading spaces in the release
    (``"        WR0"``). Quotes inside the texts (``„Ród smoka”``) are text,
    not CSV quoting.
    """
    return builder_utils.read_table(
        path, "\t", csv.QUOTE_NONE, required=COLUMNS, fallback=None
    )


def _labels_from_row(row: dict[str, str], where: str) -> dict:
    name = row["file_id"]
    from_name = parse_file_name(name)
    if (
        row["emotion"] != from_name["emotion"]
        or row["speaker_id"] != from_name["speaker"]
    ):
        raise ValueError(
            f"{where}: emotion/speaker {row['emotion']}/{row['speaker_id']} do "
            f"not match the file name {name}"
        )
    gender = row["gender"].lower()
    if gender not in builder_utils.GENDERS:
        raise ValueError(f"{where}: unknown gender {row['gender']!r}")
    try:
        age = int(row["age"])
    except ValueError:
        raise ValueError(f"{where}: age {row['age']!r} is not a number") from None
    return {
        "emotion": row["emotion"],
        "speaker": row["speaker_id"],
        "gender": gender,
        "age": age,
        "sentence_id": from_name["sentence_id"],
        "raw_text": row["raw_text"],
        "normalized_text": row["normalized_text"],
    }


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding data.tsv and samples/: ``path`` or one of its children."""
    return builder_utils.find_folder(
        path,
        lambda folder: (folder / METADATA).is_file() and (folder / SAMPLES).is_dir(),
    )


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [("samples/EB0_anger_13.wav", labels), ...]}``.

    Labels come from data.tsv. A clip of samples/ that data.tsv does not list
    still builds: emotion, speaker and sentence from its name, gender and age
    from the speaker's other rows, texts from another speaker's row of the
    same sentence ("" if none).
    """
    rows = read_metadata(root / METADATA)
    labels_by_name: dict[str, dict] = {}
    for line, row in rows:
        where = f"{root / METADATA}, line {line}"
        labels = _labels_from_row(row, where)
        previous = labels_by_name.get(row["file_id"])
        if previous is not None and previous != labels:
            raise ValueError(f"{where}: {row['file_id']} listed twice, differently")
        labels_by_name[row["file_id"]] = labels

    speakers = {lab["speaker"]: lab for lab in labels_by_name.values()}
    sentences = {lab["sentence_id"]: lab for lab in labels_by_name.values()}
    on_disk = sorted(
        p.name for p in (root / SAMPLES).glob("*.wav") if not p.name.startswith(".")
    )
    unlisted = [name for name in on_disk if name not in labels_by_name]
    for name in unlisted:
        from_name = parse_file_name(name)
        speaker = speakers.get(from_name["speaker"])
        if speaker is None:
            raise ValueError(
                f"{root / SAMPLES / name}: not in {METADATA}, and neither is its "
                f"speaker {from_name['speaker']} (gender unknown)"
            )
        sentence = sentences.get(from_name["sentence_id"], {})
        labels_by_name[name] = {
            **from_name,
            "gender": speaker["gender"],
            "age": speaker["age"],
            "raw_text": sentence.get("raw_text", ""),
            "normalized_text": sentence.get("normalized_text", ""),
        }
    if unlisted:
        logging.warning(
            "nEMO: %d clips of %s/ are not in %s (labels from their names): %s",
            len(unlisted),
            SAMPLES,
            METADATA,
            ", ".join(unlisted[:10]),
        )

    by_speaker = collections.defaultdict(list)
    for name, labels in sorted(labels_by_name.items()):
        by_speaker[labels["speaker"]].append((f"{SAMPLES}/{name}", labels))
    return dict(by_speaker)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for nEMO."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: 16 kHz, one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    nEMO is not downloaded automatically. Clone {REPOSITORY} or download
    its ZIP ({ZIP_NAME}) and put it in manual_dir, as it is or extracted, so
    that manual_dir holds data.tsv and samples/EB0_anger_1.wav, ... (or one
    folder holding them).
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = f"{METADATA} and {SAMPLES}/ folder"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = (
        f"No nEMO clips listed in {{root}}/{METADATA} or found in {{root}}/{SAMPLES}"
    )
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS,
                sentence_id=tfds.features.Scalar(dtype=np.int32),
                raw_text=tfds.features.Text(),
                normalized_text=tfds.features.Text(),
                age=tfds.features.Scalar(dtype=np.int32),
            ),
            homepage=REPOSITORY,
        )

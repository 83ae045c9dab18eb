"""DEMoS, the Database of Elicited Mood in Speech (Italian, 68 speakers).

Emotional speech elicited by mood-induction procedures: 9365 emotional
utterances in seven emotions (anger, sadness, happiness, fear, surprise,
disgust, guilt) plus 332 neutral ones. The emotional utterances that
listeners judged prototypical carry the prefix ``PR_``, the others ``NP_``.
Two configs: ``prototypical`` (the 1564 PR utterances of 59 speakers that
Keesing et al. used; the default) and ``all``. One split per speaker.
"""

from __future__ import annotations

import collections
import dataclasses
import re

import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

HOMEPAGE = "https://zenodo.org/record/2544829"
ZIP_NAME = "wav_DEMoS.zip"

# Emotion code (the three letters after the last "_") -> ClassLabel name,
# in the order of the release's file-name legend (English names as there).
EMOTION_CODES = {
    "col": "guilt",  # colpa
    "dis": "disgust",  # disgusto
    "gio": "happiness",  # gioia
    "pau": "fear",  # paura
    "rab": "anger",  # rabbia
    "sor": "surprise",  # sorpresa
    "tri": "sadness",  # tristezza
    "neu": "neutral",
}
EMOTIONS = tuple(EMOTION_CODES.values())
PROTOTYPICALITY = ("prototypical", "non_prototypical", "none")
_PREFIXES = {"PR": "prototypical", "NP": "non_prototypical"}
GENDER_LETTERS = {"f": "female", "m": "male"}

# The speaker, sex and emotion sit at fixed places from the end of the stem:
# PR_f_01_col001 (emotional, DEMOS/), f_01_neu001 (neutral, NEU/).
_NAME_RE = re.compile(
    r"^(?:(?P<prefix>[A-Z]{2})_)?(?P<g>[fm])_(?P<speaker>\d\d)_"
    r"(?P<emo>[a-z]{3})(?P<index>\d+)$"
)

_WHAT_TO_PUT = (
    "Put DEMoS there (Zenodo record 2544829, end-user licence agreement): "
    f"{ZIP_NAME} or its extracted content, i.e. the folders DEMOS/ "
    "(PR_*.wav, NP_*.wav) and NEU/ (neutral *.wav), or a folder holding them."
)


@dataclasses.dataclass
class DemosConfig(tfds.core.BuilderConfig):
    """Which utterances a build keeps."""

    prototypical_only: bool = True

    @property
    def emotions(self) -> tuple[str, ...]:
        # Neutral utterances are neither PR nor NP: none in `prototypical`.
        return EMOTIONS[:-1] if self.prototypical_only else EMOTIONS


BUILDER_CONFIGS = [
    DemosConfig(
        name="prototypical",
        description=(
            "The prototypical (PR_) utterances only: 1564 of 59 speakers, 7 "
            "emotions (no neutral), as used by Keesing et al. 2021."
        ),
        prototypical_only=True,
    ),
    DemosConfig(
        name="all",
        description=(
            "Every utterance: 9365 emotional (PR_ and NP_) and 332 neutral, "
            "68 speakers, 8 classes."
        ),
        prototypical_only=False,
    ),
]


def parse_file_name(name: str) -> dict:
    """Labels of a DEMoS file name; ValueError if it does not follow the scheme."""
    stem = name[:-4] if name.lower().endswith(".wav") else name
    m = _NAME_RE.match(stem)
    if not m:
        raise ValueError(
            f"{name}: not a DEMoS file name (e.g. PR_f_01_col001.wav, f_01_neu001.wav)"
        )
    if m["emo"] not in EMOTION_CODES:
        raise ValueError(f"{name}: unknown DEMoS emotion code {m['emo']!r}")
    prefix = m["prefix"]
    if prefix is not None and prefix not in _PREFIXES:
        raise ValueError(f"{name}: unknown DEMoS prefix {prefix!r} (PR or NP)")
    emotion = EMOTION_CODES[m["emo"]]
    if emotion == "neutral" and prefix is not None:
        raise ValueError(f"{name}: a neutral utterance marked {prefix}")
    if emotion != "neutral" and prefix is None:
        raise ValueError(f"{name}: an emotional utterance without PR_ or NP_")
    return {
        "emotion": emotion,
        "speaker": m["speaker"],
        "gender": GENDER_LETTERS[m["g"]],
        "prototypicality": _PREFIXES[prefix] if prefix else "none",
    }


def _corpus_folders(path: epath.Path) -> list[epath.Path]:
    """The DEMOS/ and NEU/ folders in ``path`` (any case)."""
    return [
        child
        for child in sorted(path.iterdir())
        if child.name.upper() in ("DEMOS", "NEU") and child.is_dir()
    ]


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding DEMOS/ (or NEU/): ``path`` or up to two levels below."""
    return builder_utils.find_folder(
        path, lambda folder: bool(_corpus_folders(folder)), depth=2
    )


def list_all_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(relative path, labels), ...]}`` for every .wav of the
    DEMOS/ and NEU/ folders (searched to any depth)."""
    by_speaker = collections.defaultdict(list)
    for folder in _corpus_folders(root):
        for wav in builder_utils.walk_files(folder):
            if wav.suffix.lower() == ".wav":
                labels = parse_file_name(wav.name)
                rel = "/".join(wav.relative_to(root).parts)
                by_speaker[labels["speaker"]].append((rel, labels))
    return dict(by_speaker)


def select(
    listing: dict[str, list[tuple[str, dict]]], prototypical_only: bool
) -> dict[str, list[tuple[str, dict]]]:
    """The files a config keeps (speakers left without files dropped)."""
    if not prototypical_only:
        return listing
    kept = {
        speaker: [f for f in files if f[1]["prototypicality"] == "prototypical"]
        for speaker, files in listing.items()
    }
    return {speaker: files for speaker, files in kept.items() if files}


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for DEMoS."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: 16 kHz, one split per speaker; configs "
        "prototypical and all."
    }
    BUILDER_CONFIGS = BUILDER_CONFIGS
    DEFAULT_CONFIG_NAME = "prototypical"
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Request DEMoS on Zenodo ({HOMEPAGE}; an end-user licence agreement
    applies), download {ZIP_NAME} and put it in manual_dir, or unzip it there
    so that manual_dir (or a folder in it) holds DEMOS/ (PR_*.wav, NP_*.wav)
    and NEU/.
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = "DEMOS/ or NEU/ folder"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No DEMoS .wav files (for this config) found in {root}/DEMOS"
    find_corpus_root = staticmethod(find_corpus_root)

    def list_files(self, root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
        return select(list_all_files(root), self.builder_config.prototypical_only)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                self.builder_config.emotions,
                prototypicality=tfds.features.ClassLabel(names=list(PROTOTYPICALITY)),
            ),
            homepage=HOMEPAGE,
        )

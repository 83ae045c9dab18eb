"""JL-Corpus (4 speakers, 5 primary + 5 secondary emotions), one split per speaker."""

from __future__ import annotations

import collections
import os
import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

HOMEPAGE = "https://github.com/tli725/JL-Corpus"
KAGGLE = "https://www.kaggle.com/tli725/jl-corpus"
# The archives users have: the raw-corpus zip the corpus README links to, the
# Kaggle command-line download and the Kaggle website download.
ZIP_NAMES = (
    "Raw JL corpus (unchecked and unannotated).zip",
    "jl-corpus.zip",
    "archive.zip",
)

PRIMARY = ("angry", "excited", "happy", "neutral", "sad")
SECONDARY = ("anxious", "apologetic", "assertive", "concerned", "encouraging")
EMOTIONS = PRIMARY + SECONDARY
EMOTION_TYPES = ("primary", "secondary")
SPEAKERS = ("female1", "female2", "male1", "male2")

# female1_angry_10a_1.wav: speaker, emotion, sentence id (number + a/b), take.
_NAME_RE = re.compile(r"^((?:fe)?male[12])_([a-z]+)_(\d+[ab])_([12])\.wav$")
_MAX_DEPTH = 4

_WHAT_TO_PUT = (
    f"Put JL-Corpus there: the Kaggle download ({KAGGLE}; archive.zip or "
    f"jl-corpus.zip), the raw-corpus zip '{ZIP_NAMES[0]}', or their extracted "
    "content, i.e. a folder 'JL(wav+txt)' of female1_angry_10a_1.wav files "
    "with their .txt transcripts."
)


def parse_file_name(name: str) -> dict:
    """Labels of a JL-Corpus file name; ValueError if it does not follow the scheme."""
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(
            f"{name}: not a JL-Corpus file name "
            "(<speaker>_<emotion>_<NN><a|b>_<1|2>.wav, e.g. female1_angry_10a_1.wav)"
        )
    speaker, emotion, sentence_id, take = m.groups()
    if emotion not in EMOTIONS:
        raise ValueError(f"{name}: unknown JL-Corpus emotion {emotion!r}")
    return {
        "emotion": emotion,
        "emotion_type": "primary" if emotion in PRIMARY else "secondary",
        "speaker": speaker,
        "gender": "female" if speaker.startswith("female") else "male",
        "sentence_id": sentence_id,
        "take": int(take),
    }


def _looks_like_jl(name: str) -> bool:
    return name.endswith(".wav") and bool(re.match(r"^(?:fe)?male[12]_[a-z]+_", name))


def _jl_folders(path: epath.Path) -> list[epath.Path]:
    """The folders holding JL-named .wav files: ``path`` and the folders at
    most 4 levels below it."""
    wavs = builder_utils.walk_files(path, _MAX_DEPTH)
    return sorted({wav.parent for wav in wavs if _looks_like_jl(wav.name)})


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The deepest folder holding every folder of JL .wav files below ``path``
    (the Kaggle upload has the 'JL(wav+txt)' folder twice), or None."""
    folders = _jl_folders(path)
    if not folders:
        return None
    return epath.Path(os.path.commonpath([os.fspath(f) for f in folders]))


def read_transcript(txt: epath.Path) -> str:
    """The transcript beside a clip, on one line; "" if there is none."""
    if not txt.exists():
        return ""
    return " ".join(builder_utils.read_text(txt, fallback="latin-1").split())


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(relative path, labels), ...]}``, one entry per file name:
    a file in several copies of the folder is taken from the fullest copy."""
    folders = sorted(
        _jl_folders(root),
        key=lambda f: (-sum(_looks_like_jl(p.name) for p in f.iterdir()), str(f)),
    )
    chosen = {}
    for folder in folders:  # Fullest copy first.
        for wav in sorted(folder.iterdir()):
            if _looks_like_jl(wav.name) and wav.name not in chosen:
                chosen[wav.name] = wav
    by_speaker = collections.defaultdict(list)
    for name in sorted(chosen):
        wav = chosen[name]
        labels = parse_file_name(name)
        labels["transcript"] = read_transcript(wav.with_suffix(".txt"))
        rel = str(wav.relative_to(root)).replace("\\", "/")
        by_speaker[labels["speaker"]].append((rel, labels))
    return dict(by_speaker)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for JL-Corpus."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: raw corpus, one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    JL-Corpus is on Kaggle ({KAGGLE}), which needs an account: download it on
    the website (archive.zip) or with `kaggle datasets download -d
    tli725/jl-corpus` (jl-corpus.zip), and put the zip, or its extracted
    content, in manual_dir.
    """

    URL = None
    ZIP_NAME = ZIP_NAMES[0]
    LAYOUT = "JL-Corpus .wav files (female1_angry_10a_1.wav, ...)"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOT_DOWNLOADED = (
        "JL-Corpus is not downloaded automatically (Kaggle needs an account)"
    )
    NOTHING_FOUND = "No JL-Corpus .wav files found under {root}"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS,
                emotion_type=tfds.features.ClassLabel(names=list(EMOTION_TYPES)),
                sentence_id=tfds.features.Text(),
                take=tfds.features.Scalar(dtype=np.int32),
                transcript=tfds.features.Text(),
            ),
            homepage=HOMEPAGE,
        )

    def locate_corpus(self, dl_manager: tfds.download.DownloadManager) -> epath.Path:
        """As CorpusBuilder's, from whichever of the known archives the user has."""
        manual = builder_utils.require_manual_dir(
            dl_manager, self.WHAT_TO_PUT, self.NOT_DOWNLOADED
        )
        zip_name = next(
            (name for name in ZIP_NAMES if (manual / name).exists()), ZIP_NAMES[0]
        )
        return builder_utils.corpus_root(
            dl_manager,
            self.URL,
            zip_name,
            find_corpus_root,
            self.LAYOUT,
            self.WHAT_TO_PUT,
            self.NOT_DOWNLOADED,
        )

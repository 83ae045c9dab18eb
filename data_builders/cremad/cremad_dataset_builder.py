"""CREMA-D audio (91 actors, 6 emotions, crowd-rated), one split per actor."""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils
from data_builders.audio import AudioError

HOMEPAGE = "https://github.com/CheyneyComputerScience/CREMA-D"
# The git-lfs clone has no single archive; a "Download ZIP" of the GitHub
# repository holds git-lfs pointer stubs instead of audio (see README.md).
ZIP_NAME = "CREMA-D-master.zip"

# File-name emotion codes and the corpus's own words for them (README:
# Anger, Disgust, Fear, Happy/Joy, Neutral, Sad), in code order.
EMOTION_CODES = {
    "ANG": "anger",
    "DIS": "disgust",
    "FEA": "fear",
    "HAP": "happy",
    "NEU": "neutral",
    "SAD": "sad",
}
EMOTIONS = tuple(EMOTION_CODES.values())
# summaryTable.csv votes use the initials A D F H N S.
VOTE_LETTERS = {code[0]: name for code, name in EMOTION_CODES.items()}
# A vote naming several emotions (colon-separated: a tie for the majority),
# or no vote (no summaryTable.csv, or no row for the clip).
VOTES = (*EMOTIONS, "tie", "unknown")
VOTE_COLUMNS = {
    "voice_vote": "VoiceVote",
    "face_vote": "FaceVote",
    "multimodal_vote": "MultiModalVote",
}

INTENSITY_CODES = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
INTENSITIES = tuple(INTENSITY_CODES.values())

SENTENCES = {
    "IEO": "It's eleven o'clock",
    "TIE": "That is exactly what happened",
    "IOM": "I'm on my way to the meeting",
    "IWW": "I wonder what this is about",
    "TAI": "The airplane is almost full",
    "MTI": "Maybe tomorrow it will be cold",
    "IWL": "I would like a new alarm clock",
    "ITH": "I think I have a doctor's appointment",
    "DFA": "Don't forget a jacket",
    "ITS": "I think I've seen this before",
    "TSI": "The surface is slick",
    "WSI": "We'll stop in a couple of minutes",
}

# Sex of the 91 actors as VideoDemographics.csv gives it (column "Sex"); used
# when a copy of the corpus lacks that file (e.g. an AudioWAV-only
# re-packaging). VideoDemographics.csv, when present, takes precedence.
FEMALE_ACTORS = frozenset(
    "1002 1003 1004 1006 1007 1008 1009 1010 1012 1013 1018 1020 1021 1024 "
    "1025 1028 1029 1030 1037 1043 1046 1047 1049 1052 1053 1054 1055 1056 "
    "1058 1060 1061 1063 1072 1073 1074 1075 1076 1078 1079 1082 1084 1089 "
    "1091".split()
)
ACTORS = frozenset(str(i) for i in range(1001, 1092))

AUDIO_DIR = "AudioWAV"
_MEDIA_FOLDERS = (AUDIO_DIR, "AudioMP3", "VideoFlash")
DEMOGRAPHICS = "VideoDemographics.csv"
SUMMARY_TABLE = "summaryTable.csv"

# Documented in the corpus README ("Audio Files" notes): no audio, very short.
KNOWN_BAD = {
    f"{AUDIO_DIR}/1076_MTI_SAD_XX.wav": (
        "no audio, very short (CREMA-D README, Audio Files note)"
    ),
}

# ActorID_SENT_EMO_LVL.wav. Copies made before October 2022 have
# 1040_ITH_SAD_X.wav (GitHub issue #6, since renamed to ..._XX.wav): a single
# X is read as XX.
_NAME_RE = re.compile(r"^(\d{4})_([A-Z]{3})_([A-Z]{3})_(LO|MD|HI|XX|X)\.wav$")
_LFS_POINTER = b"version https://git-lfs.github.com/spec/"

_WHAT_TO_PUT = (
    "Put CREMA-D there with its audio: a clone made with git-lfs "
    f"(git lfs clone {HOMEPAGE}.git), or the files of its GitHub release, i.e. "
    "a folder holding AudioWAV/ with files like 1001_DFA_ANG_XX.wav and, "
    "beside it, VideoDemographics.csv and processedResults/summaryTable.csv "
    "(optional: without them the actors' sex comes from a table in the "
    "builder and the crowd votes are 'unknown')."
)


def parse_file_name(name: str) -> dict:
    """Labels of an AudioWAV file name; ValueError if it does not follow the scheme."""
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(
            f"{name}: not a CREMA-D file name (ActorID_SENT_EMO_LVL.wav, "
            "e.g. 1001_DFA_ANG_XX.wav)"
        )
    actor, sentence, emotion, level = m.groups()
    if actor not in ACTORS:
        raise ValueError(f"{name}: unknown CREMA-D actor {actor} (1001-1091)")
    if sentence not in SENTENCES:
        raise ValueError(f"{name}: unknown CREMA-D sentence code {sentence}")
    if emotion not in EMOTION_CODES:
        raise ValueError(f"{name}: unknown CREMA-D emotion code {emotion}")
    return {
        "emotion": EMOTION_CODES[emotion],
        "speaker": actor,
        "sentence": sentence,
        "transcript": SENTENCES[sentence],
        "intensity": INTENSITY_CODES["XX" if level == "X" else level],
    }


def parse_vote(value: str | None) -> str:
    """A summaryTable.csv vote ("A", "A:D", ...) as a VOTES name."""
    letters = [v.strip() for v in (value or "").split(":") if v.strip()]
    if len(letters) > 1:
        return "tie"
    if len(letters) == 1 and letters[0] in VOTE_LETTERS:
        return VOTE_LETTERS[letters[0]]
    return "unknown"


def read_demographics(path: epath.Path | None) -> dict[str, dict]:
    """``{actor: {"gender", "age", "race", "ethnicity"}}`` from VideoDemographics.csv;
    without the file, the sex of every actor from the builder's table."""
    if path is None:
        return {
            actor: {
                "gender": "female" if actor in FEMALE_ACTORS else "male",
                "age": -1,
                "race": "",
                "ethnicity": "",
            }
            for actor in ACTORS
        }
    table = {}
    for _, row in builder_utils.read_table(path):
        actor = (row.get("ActorID") or "").strip()
        sex = (row.get("Sex") or "").strip().lower()
        if not actor:
            continue
        if sex not in builder_utils.GENDERS:
            raise ValueError(f"{path}: actor {actor} has Sex {row.get('Sex')!r}")
        age = (row.get("Age") or "").strip()
        table[actor] = {
            "gender": sex,
            "age": int(age) if age.isdigit() else -1,
            "race": (row.get("Race") or "").strip(),
            "ethnicity": (row.get("Ethnicity") or "").strip(),
        }
    return table


def read_votes(path: epath.Path | None) -> dict[str, dict[str, str]]:
    """``{file stem: {"voice_vote", "face_vote", "multimodal_vote"}}``."""
    if path is None:
        return {}
    votes = {}
    for _, row in builder_utils.read_table(path):
        stem = (row.get("FileName") or "").strip()
        if stem:
            votes[stem] = {
                feature: parse_vote(row.get(column))
                for feature, column in VOTE_COLUMNS.items()
            }
    return votes


def _not_searched(name: str) -> bool:
    """The media folders (thousands of files, no metadata) and junk."""
    return name in _MEDIA_FOLDERS or builder_utils.is_junk(name)


def find_metadata(root: epath.Path, name: str) -> epath.Path | None:
    """A metadata file of the release: under the corpus root (the classic
    layout has VideoDemographics.csv beside AudioWAV/ and
    processedResults/summaryTable.csv; the newer one puts them under
    data/InfoAndStats/), or beside the root's folder."""
    folder = builder_utils.find_folder(
        root, lambda f: (f / name).is_file(), depth=3, skip=_not_searched
    )
    if folder is not None:
        return folder / name
    return root.parent / name if (root.parent / name).is_file() else None


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding AudioWAV/: ``path`` or a folder up to 3 levels below."""
    return builder_utils.find_folder(
        path, lambda f: (f / AUDIO_DIR).is_dir(), depth=3, skip=_not_searched
    )


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{actor: [(relative file name, labels), ...]}`` for AudioWAV/*.wav."""
    demographics = read_demographics(find_metadata(root, DEMOGRAPHICS))
    votes = read_votes(find_metadata(root, SUMMARY_TABLE))
    names = sorted(p.name for p in (root / AUDIO_DIR).glob("*.wav"))
    by_actor = collections.defaultdict(list)
    for name in names:
        if name.endswith("_X.wav") and name.replace("_X.wav", "_XX.wav") in names:
            continue  # Both the old and the corrected name: one clip.
        labels = parse_file_name(name)
        actor = labels["speaker"]
        if actor not in demographics:
            raise ValueError(
                f"{root / AUDIO_DIR / name}: actor {actor} is not in {DEMOGRAPHICS}"
            )
        stem = name[: -len(".wav")]
        stem = stem + "X" if stem.endswith("_X") else stem
        unknown = {feature: "unknown" for feature in VOTE_COLUMNS}
        by_actor[actor].append(
            (
                f"{AUDIO_DIR}/{name}",
                {**labels, **demographics[actor], **votes.get(stem, unknown)},
            )
        )
    return dict(by_actor)


def is_lfs_pointer(path: epath.Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(_LFS_POINTER)) == _LFS_POINTER


def generate_examples(
    root: epath.Path, files: builder_utils.Files
) -> Iterator[tuple[str, dict]]:
    """As ``builder_utils.generate_examples``, with a clear error for the
    git-lfs pointer stubs a plain GitHub download holds instead of audio."""
    for rel, labels in files:
        if is_lfs_pointer(root / rel):
            raise AudioError(
                root / rel,
                "a git-lfs pointer stub, not audio: the audio of CREMA-D is in "
                "git-lfs; fetch it (git lfs pull in the clone, or use the "
                f"release / mirror, see {HOMEPAGE}) and build again",
            )
        yield from builder_utils.generate_examples(root, [(rel, labels)])


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for the CREMA-D audio (AudioWAV)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: AudioWAV, one split per actor, crowd votes."
    }
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    CREMA-D's audio is stored with git-lfs in {HOMEPAGE}; it is not
    downloaded automatically. Get it with
      git lfs clone {HOMEPAGE}.git
    (about 7.5 GB with the videos; `GIT_LFS_SKIP_SMUDGE=1 git clone ...` then
    `git lfs pull --include "AudioWAV/*"` fetches only the WAV audio), or from
    the repository's releases page, and pass the clone (or any folder holding
    AudioWAV/) as manual_dir. VideoDemographics.csv and
    processedResults/summaryTable.csv are read when present.
    """

    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = "AudioWAV/ folder"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOT_DOWNLOADED = "CREMA-D is not downloaded automatically (its audio is in git-lfs)"
    NOTHING_FOUND = "No .wav files found in {root}/AudioWAV"
    KNOWN_BAD = KNOWN_BAD
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        votes = {
            feature: tfds.features.ClassLabel(names=list(VOTES))
            for feature in VOTE_COLUMNS
        }
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS,
                sentence=tfds.features.Text(),
                transcript=tfds.features.Text(),
                intensity=tfds.features.ClassLabel(names=list(INTENSITIES)),
                age=tfds.features.Scalar(dtype=np.int32),
                race=tfds.features.Text(),
                ethnicity=tfds.features.Text(),
                **votes,
            ),
            homepage=HOMEPAGE,
        )

    def _generate_examples(self, root: epath.Path, files: builder_utils.Files):
        return generate_examples(root, files)

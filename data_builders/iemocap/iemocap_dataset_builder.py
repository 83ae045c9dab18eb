"""IEMOCAP 1.x (USC SAIL): 10 actors in 5 dyadic sessions, utterance-level labels.

Labels come from ``SessionN/dialog/EmoEvaluation/<dialog>.txt``, whose
header lines ``[start - end]<TAB>UTT<TAB>EMO<TAB>[V, A, D]`` give the
consensus category (a three-letter code) and the mean valence, activation
and dominance of each utterance; the audio is
``SessionN/sentences/wav/<dialog>/<utt>.wav``; the transcripts are
``SessionN/dialog/transcriptions/<dialog>.txt``.

The speaker of an utterance is the actor whose letter ends the utterance
name: ``Ses01F_impro01_M000`` is spoken by the male actor of session 1
(speaker ``Ses01M``); the ``F`` after ``Ses01`` only names the actor who wore
the motion-capture markers in that dialog.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

ZIP_NAME = "IEMOCAP_full_release.tar.gz"
HOMEPAGE = "https://sail.usc.edu/iemocap/"

# Consensus codes of the EmoEvaluation header lines, with the words of the
# release README ("angry, happy, sad, neutral, frustrated, excited, fearful,
# surprised, disgusted, other").
EMOTION_CODES = {
    "ang": "angry",
    "hap": "happy",
    "exc": "excited",
    "sad": "sad",
    "neu": "neutral",
    "fru": "frustrated",
    "fea": "fearful",
    "sur": "surprised",
    "dis": "disgusted",
    "oth": "other",
}
# The raters did not agree on a category: no `emotion`, left out of every
# config (their dimensional ratings exist, but every example needs a class).
NO_AGREEMENT = "xxx"
SCENARIOS = ("improvised", "scripted")
SESSIONS = ("1", "2", "3", "4", "5")

LAYOUT = "Session1/ ... Session5/ folders"
NOTHING_FOUND = (
    "No utterance of this config found in {root}/Session*/dialog/EmoEvaluation"
)
WHAT_TO_PUT = (
    "IEMOCAP cannot be downloaded automatically: request it from USC SAIL "
    f"({HOMEPAGE}), then put in manual_dir either the archive {ZIP_NAME} "
    "as received, or its extracted content: the folder IEMOCAP_full_release/ "
    "(or the Session1/ ... Session5/ folders themselves), each session "
    "holding dialog/EmoEvaluation/, dialog/transcriptions/ and "
    "sentences/wav/<dialog>/<utterance>.wav."
)

_SESSION_DIR_RE = re.compile(r"^Session([1-5])$")
# Ses01F_impro01_M000, Ses01M_script01_1_F012: session, marker actor, the
# dialog's middle part, the speaking actor, the turn number.
_UTTERANCE_RE = re.compile(r"^Ses(\d\d)([FM])_((?:impro|script)\w*?)_([FM])(\d{3,})$")
# [6.2901 - 8.2357]<TAB>Ses01F_impro01_F000<TAB>neu<TAB>[2.5000, 2.5000, 2.5000]
_HEADER_RE = re.compile(
    r"^\[\s*(?P<start>[\d.]+)\s*-\s*(?P<end>[\d.]+)\s*\]\s+(?P<utt>\S+)\s+"
    r"(?P<code>\S+)\s+\[\s*(?P<v>[-\d.]+|nan)\s*,\s*(?P<a>[-\d.]+|nan)\s*,"
    r"\s*(?P<d>[-\d.]+|nan)\s*\]\s*$",
    re.IGNORECASE,
)
# Ses01F_impro01_F000 [006.2901-008.2357]: Excuse me.
_TRANSCRIPT_RE = re.compile(r"^(?P<utt>Ses\S+)\s*\[[^\]]*\]\s*:?\s?(?P<text>.*)$")


@dataclasses.dataclass(eq=False)
class IemocapConfig(builder_utils.LabelSubsetConfig):
    """A label subset: which consensus codes, as which ClassLabel names.

    Attributes:
      emotions: the ClassLabel names, in order.
      code_to_emotion: consensus code -> ClassLabel name; utterances whose
        code is not a key are left out of the config.
      improvised_only: keep the improvised dialogs only.
    """

    improvised_only: bool = False


_FOUR_CLASS = {
    "ang": "angry",
    "hap": "happy",
    "exc": "happy",  # Merged, as in most of the literature.
    "sad": "sad",
    "neu": "neutral",
}
FOUR_CLASS = IemocapConfig(
    name="four_class",
    description=(
        "Anger, happiness (happy + excited merged), sadness, neutral: the "
        "common 4-class set (5531 utterances; Keesing et al.'s subset)."
    ),
    emotions=("angry", "happy", "sad", "neutral"),
    code_to_emotion=_FOUR_CLASS,
)
FOUR_CLASS_IMPROVISED = IemocapConfig(
    name="four_class_improvised",
    description=("The four_class labels, improvised dialogs only (Satt et al. 2017)."),
    emotions=("angry", "happy", "sad", "neutral"),
    code_to_emotion=_FOUR_CLASS,
    improvised_only=True,
)
ALL_CATEGORIES = IemocapConfig(
    name="all_categories",
    description=(
        "Every utterance with a consensus category (all but 'xxx', no "
        "agreement), each category its own class; excited is not merged."
    ),
    emotions=tuple(EMOTION_CODES.values()),
    code_to_emotion=EMOTION_CODES,
)
CONFIGS = (FOUR_CLASS, FOUR_CLASS_IMPROVISED, ALL_CATEGORIES)


def parse_utterance_name(name: str) -> dict:
    """Session, dialog, speaker and scenario of an utterance name.

    ``Ses01F_impro01_M000`` -> session "1", dialog "Ses01F_impro01", speaker
    "Ses01M" (the actor of the LAST field), gender male, improvised.
    Raises ValueError for a name that does not follow the scheme.
    """
    m = _UTTERANCE_RE.match(name)
    if not m:
        raise ValueError(
            f"{name}: not an IEMOCAP utterance name (e.g. Ses01F_impro01_M000)"
        )
    session, _, middle, letter, _ = m.groups()
    if str(int(session)) not in SESSIONS:
        raise ValueError(f"{name}: unknown IEMOCAP session {session}")
    return {
        "session": str(int(session)),
        "dialog": name.rsplit("_", 1)[0],
        "speaker": f"Ses{session}{letter}",
        "gender": "female" if letter == "F" else "male",
        "scenario": "improvised" if middle.startswith("impro") else "scripted",
    }


def parse_emo_evaluation(text: str, source: str = "") -> list[dict]:
    """The header lines of an EmoEvaluation file, in file order.

    Each item: ``utterance``, ``code`` (as written, lower case), ``start``,
    ``end``, ``valence``, ``activation``, ``dominance`` (the header's
    ``[V, A, D]``). Rater lines (``C-E2:``, ``A-E3:``, ...) and the comment
    line are skipped; a line starting with ``[`` that is not a header
    raises ValueError naming ``source``.
    """
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line.startswith("["):
            continue
        m = _HEADER_RE.match(line)
        if not m:
            raise ValueError(
                f"{source}:{number}: not an EmoEvaluation header line "
                f"'[start - end]<TAB>utterance<TAB>code<TAB>[V, A, D]': {line!r}"
            )
        items.append(
            {
                "utterance": m["utt"],
                "code": m["code"].lower(),
                "start": float(m["start"]),
                "end": float(m["end"]),
                "valence": float(m["v"]),
                "activation": float(m["a"]),
                "dominance": float(m["d"]),
            }
        )
    return items


def parse_transcriptions(text: str) -> dict[str, str]:
    """``{utterance: transcript}`` of a transcriptions file.

    Lines that name no utterance with a wav (``Ses01F_script01_1_MXX``
    overlap lines, ...) or no ``[start-end]`` are skipped.
    """
    out = {}
    for line in text.splitlines():
        m = _TRANSCRIPT_RE.match(line.strip())
        if m and _UTTERANCE_RE.match(m["utt"]):
            out[m["utt"]] = m["text"].strip()
    return out


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding Session1/ ... Session5/: ``path`` or a child of it."""
    return builder_utils.find_folder(
        path,
        lambda folder: any(
            _SESSION_DIR_RE.match(p.name) and p.is_dir() for p in folder.iterdir()
        ),
    )


def list_utterances(root: epath.Path) -> list[tuple[str, dict]]:
    """Every utterance of the EmoEvaluation files under ``root``, sorted.

    Items are ``(path of its wav relative to root, labels)``; labels hold
    ``consensus`` (the code as written, ``xxx`` included), ``session``,
    ``dialog``, ``speaker``, ``gender``, ``scenario``, ``transcript`` and the
    three dimensional means. Raises ManualDirError for a session without
    EmoEvaluation files or for utterances whose wav is missing, ValueError
    for a malformed label file or an unknown consensus code.
    """
    utterances = {}
    missing = []
    for session_dir in sorted(root.iterdir()):
        m = _SESSION_DIR_RE.match(session_dir.name)
        if not m or not session_dir.is_dir():
            continue
        eval_dir = session_dir / "dialog" / "EmoEvaluation"
        # The top-level <dialog>.txt only: Categorical/, Attribute/ and
        # Self-evaluation/ hold per-rater files in other formats.
        eval_files = (
            sorted(
                p for p in eval_dir.glob("*.txt") if not builder_utils.is_junk(p.name)
            )
            if eval_dir.is_dir()
            else []
        )
        if not eval_files:
            raise builder_utils.ManualDirError(
                f"{session_dir} has no dialog/EmoEvaluation/*.txt label files "
                f"(incomplete extraction?). {WHAT_TO_PUT}"
            )
        for eval_file in eval_files:
            transcript_file = session_dir / "dialog" / "transcriptions" / eval_file.name
            transcripts = (
                parse_transcriptions(builder_utils.read_text(transcript_file))
                if transcript_file.exists()
                else {}
            )
            text = builder_utils.read_text(eval_file)
            for item in parse_emo_evaluation(text, str(eval_file)):
                name = item["utterance"]
                labels = parse_utterance_name(name)
                if labels["session"] != m.group(1):
                    raise ValueError(
                        f"{eval_file}: utterance {name} of session "
                        f"{labels['session']} in {session_dir.name}"
                    )
                code = item["code"]
                if code != NO_AGREEMENT and code not in EMOTION_CODES:
                    raise ValueError(
                        f"{eval_file}: unknown consensus code {code!r} of {name}"
                    )
                if name in utterances:
                    raise ValueError(f"{eval_file}: utterance {name} labelled twice")
                rel = f"{session_dir.name}/sentences/wav/{labels['dialog']}/{name}.wav"
                if not (root / rel).exists():
                    missing.append(rel)
                labels.update(
                    consensus=code,
                    transcript=transcripts.get(name, ""),
                    valence=item["valence"],
                    activation=item["activation"],
                    dominance=item["dominance"],
                )
                utterances[name] = (rel, labels)
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise builder_utils.ManualDirError(
            f"{len(missing)} labelled utterances have no wav under {root}: "
            f"{shown}. {WHAT_TO_PUT}"
        )
    return [utterances[name] for name in sorted(utterances)]


def select(
    utterances: Iterable[tuple[str, dict]], config: IemocapConfig
) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(rel, labels with emotion), ...]}`` of a config's utterances."""
    return builder_utils.select_labels(
        (
            (rel, labels)
            for rel, labels in utterances
            if not config.improvised_only or labels["scenario"] == "improvised"
        ),
        config.code_to_emotion,
    )


def list_files(
    root: epath.Path, config: IemocapConfig = FOUR_CLASS
) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(relative wav path, labels), ...]}`` of ``config``."""
    return select(list_utterances(root), config)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for IEMOCAP's utterances (speech only)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: one split per speaker, three label configs."
    }
    BUILDER_CONFIGS = list(CONFIGS)
    DEFAULT_CONFIG_NAME = FOUR_CLASS.name
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    IEMOCAP is distributed by USC SAIL after a signed release form
    ({HOMEPAGE}); it cannot be downloaded automatically. manual_dir must hold
    either {ZIP_NAME} as received, or its extracted content: the folder
    IEMOCAP_full_release/ (or the Session1/ ... Session5/ folders), e.g.
    tar -xzf {ZIP_NAME} -C <manual_dir>
    Only SessionN/sentences/wav/, SessionN/dialog/EmoEvaluation/ and
    SessionN/dialog/transcriptions/ are read.
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = LAYOUT
    WHAT_TO_PUT = WHAT_TO_PUT
    NOTHING_FOUND = NOTHING_FOUND
    find_corpus_root = staticmethod(find_corpus_root)

    def list_files(self, root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
        """The files of this builder config's label subset."""
        return list_files(root, self.builder_config)

    def _info(self) -> tfds.core.DatasetInfo:
        features = builder_utils.core_features(
            self.builder_config.emotions,
            consensus=tfds.features.Text(),
            session=tfds.features.Text(),
            scenario=tfds.features.ClassLabel(names=list(SCENARIOS)),
            dialog=tfds.features.Text(),
            transcript=tfds.features.Text(),
            valence=tfds.features.Scalar(dtype=np.float32),
            activation=tfds.features.Scalar(dtype=np.float32),
            dominance=tfds.features.Scalar(dtype=np.float32),
        )
        return self.corpus_info(features, homepage=HOMEPAGE)

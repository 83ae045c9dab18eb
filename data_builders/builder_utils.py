"""Pieces shared by the ser_jax TFDS builders (features, splits, manual_dir).

Like every module under ``data_builders/``, this one imports nothing from
``ser_jax``: ``tfds build data_builders/<name>`` does not load the library.

Every builder exposes the same core features, which the training code relies
on:

* ``audio``: ``tfds.features.Audio(shape=(None,), dtype=np.int16,
  sample_rate=16000)``, mono, resampled with ``data_builders.audio.load_audio``
  (a builder's ``SAMPLE_RATE``: 16 kHz except ``ravdess_48k``, RAVDESS at its
  native rate).
* ``emotion``: ``ClassLabel`` (names per corpus).
* ``speaker``: ``Text``, the corpus's own speaker code (e.g. ``"01"``).
* ``gender``: ``ClassLabel(names=["female", "male"])``.
* ``file_name``: ``Text``, the path relative to the corpus root.

and one split per speaker, ``speaker_<code>``, in sorted order.

A corpus of labelled audio files (downloaded, or in manual_dir as its official
zip or extracted) is a :class:`CorpusBuilder`: the subclass gives its URL and
zip, where its files sit, how its files are listed and labelled, and its
features. :func:`corpus_root` and :func:`speaker_split_generators` are the two
halves of ``CorpusBuilder._split_generators``, for builders that need another
flow.

The other helpers are what several corpora need to read their releases:
:func:`read_text` and :func:`read_table` (label files of unknown encoding),
:func:`walk_files` and :func:`find_folder` (a corpus somewhere below
manual_dir, without the debris archives carry: :func:`is_junk`),
:func:`require_manual_dir` and :func:`find_in_archives` (corpora that cannot
be downloaded, archives of any name), and :class:`LabelSubsetConfig` with
:func:`select_labels` (configs keeping some consensus categories).
"""

from __future__ import annotations

import abc
import collections
import csv
import dataclasses
import io
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import soundfile as sf
import tensorflow_datasets as tfds
from etils import epath

from data_builders.audio import SAMPLE_RATE, load_audio, to_int16

GENDERS = ("female", "male")

Files = Sequence[tuple[str, Mapping[str, Any]]]
"""``[(path relative to the corpus root, labels), ...]``; labels are features."""
Listing = Mapping[str, Files]
"""``{speaker: Files}``: a corpus's files by speaker code."""


class ManualDirError(FileNotFoundError):
    """The manual_dir given to a builder is missing, empty or holds no corpus."""


def core_features(
    emotion_names: Iterable[str],
    sample_rate: int = SAMPLE_RATE,
    **extra: tfds.features.FeatureConnector,
) -> tfds.features.FeaturesDict:
    """The features every ser_jax builder has, plus ``extra`` ones; audio at
    ``sample_rate`` (16 kHz unless a builder keeps a corpus's native rate)."""
    return tfds.features.FeaturesDict(
        {
            # Stored as a tf.train.Int64List (TFDS 4.9.10's Audio feature
            # fails with encoding="bytes" for array input), i.e. about 2.2x
            # the raw int16 size on disk.
            "audio": tfds.features.Audio(
                shape=(None,), dtype=np.int16, sample_rate=sample_rate
            ),
            "emotion": tfds.features.ClassLabel(names=list(emotion_names)),
            "speaker": tfds.features.Text(),
            "gender": tfds.features.ClassLabel(names=list(GENDERS)),
            "file_name": tfds.features.Text(),
            **extra,
        }
    )


def split_name(speaker: str) -> str:
    return f"speaker_{speaker}"


def speaker_splits(items: Mapping[str, Any]) -> dict[str, Any]:
    """``{speaker: items}`` -> ``{"speaker_<code>": items}`` in sorted order."""
    return {split_name(spk): items[spk] for spk in sorted(items)}


def read_audio_int16(path: epath.Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono int16 at ``sample_rate`` (16 kHz); raises ``AudioError`` naming the
    file if unusable."""
    return to_int16(load_audio(path, sample_rate=sample_rate))


def read_text(path: epath.Path, fallback: str | None = "cp1252") -> str:
    """A label or transcript file as text: UTF-8 (a byte-order mark dropped),
    else ``fallback`` (characters it lacks replaced).

    Releases made on Windows write their text files in a legacy code page
    (Windows-1252, Latin-1) beside UTF-8 ones. ``fallback=None``: the file
    must be UTF-8 (UnicodeDecodeError otherwise), for formats that are
    UTF-8 by definition (JSON) or corpora whose legacy code page is unknown.
    """
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fallback is None:
            raise
        return raw.decode(fallback, errors="replace")


def read_table(
    path: epath.Path,
    delimiter: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
    required: Sequence[str] = (),
    fallback: str | None = "cp1252",
) -> list[tuple[int, dict[str, str]]]:
    """``[(line number, {column: value}), ...]`` of a CSV/TSV metadata table.

    The first row names the columns; names and values are stripped of
    surrounding whitespace (releases pad them), rows of blank fields are
    skipped, and the line numbers are for error messages. The text is read
    with :func:`read_text` (``fallback``). Raises ValueError naming the file
    for a column of ``required`` it lacks and for a row whose number of
    fields is not the header's.
    """
    text = read_text(path, fallback)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting
    )
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in required if name not in header]
    if missing:
        raise ValueError(f"{path}: missing columns {missing} (has {header})")
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise ValueError(
                f"{path}, line {reader.line_num}: {len(values)} fields, "
                f"expected {len(header)}"
            )
        row = {k: v.strip() for k, v in zip(header, values, strict=True)}
        rows.append((reader.line_num, row))
    return rows


def is_junk(name: str) -> bool:
    """Hidden entries and the debris archives carry (``.git``, macOS
    ``__MACOSX/`` and ``._x.wav`` AppleDouble files): never part of a corpus."""
    return name.startswith(".") or name == "__MACOSX"


def walk_files(
    folder: epath.Path,
    depth: int | None = None,
    skip: Callable[[str], bool] = is_junk,
) -> Iterator[epath.Path]:
    """The files in ``folder`` and down to ``depth`` folder levels below it
    (any depth if None), depth first in sorted order; entries whose name
    ``skip`` accepts are left out, folders with what they hold.

    epath's paths have no recursive glob, and copies of a corpus nest its
    files at different depths.
    """
    for child in sorted(folder.iterdir()):
        if skip(child.name):
            continue
        if not child.is_dir():
            yield child
        elif depth is None or depth > 0:
            yield from walk_files(child, None if depth is None else depth - 1, skip)


def find_folder(
    path: epath.Path,
    holds: Callable[[epath.Path], bool],
    depth: int = 1,
    skip: Callable[[str], bool] = is_junk,
) -> epath.Path | None:
    """The first folder for which ``holds(folder)`` is true: ``path`` itself,
    else its sub-folders down to ``depth`` levels, breadth first (the
    shallowest wins), in sorted order; None if none does (or ``path`` is not
    a folder). Folders whose name ``skip`` accepts are not searched.

    How a builder finds its corpus in manual_dir or an extracted archive,
    which may hold the corpus's folders directly or in a parent folder.
    """
    if not path.is_dir():
        return None
    level = [path]
    for level_number in range(depth + 1):
        for folder in level:
            if holds(folder):
                return folder
        if level_number < depth:
            level = [
                child
                for folder in level
                for child in sorted(folder.iterdir())
                if child.is_dir() and not skip(child.name)
            ]
    return None


def _default_manual_dir(dl_manager: tfds.download.DownloadManager) -> epath.Path:
    # What TFDS uses when no DownloadConfig(manual_dir=...) / --manual_dir is
    # given (see DatasetBuilder._make_download_manager).
    return epath.Path(dl_manager.download_dir) / "manual"


def manual_dir_or_none(
    dl_manager: tfds.download.DownloadManager, what_to_put: str
) -> epath.Path | None:
    """The manual_dir if it exists and is not empty.

    Returns None when the user did not pass a manual_dir and the default one
    (``<data_dir>/downloads/manual``) is absent or empty: the caller may then
    download the corpus. When the user did pass a manual_dir that is missing
    or empty, raises :class:`ManualDirError` saying what to put there.
    """
    try:
        return epath.Path(dl_manager.manual_dir)
    except AssertionError:  # TFDS: "does not exist or is empty".
        pass
    given = getattr(dl_manager, "_manual_dir", None)
    if given is None or epath.Path(given) == _default_manual_dir(dl_manager):
        return None
    raise ManualDirError(
        f"manual_dir {given} does not exist or is empty. {what_to_put}"
    )


NOT_DOWNLOADED = (
    "This corpus cannot be downloaded automatically (its licence asks users to "
    "obtain it themselves)"
)


def require_manual_dir(
    dl_manager: tfds.download.DownloadManager,
    what_to_put: str,
    not_downloaded: str = NOT_DOWNLOADED,
) -> epath.Path:
    """The manual_dir of a corpus that cannot be downloaded.

    Raises :class:`ManualDirError` ``f"{not_downloaded}: pass --manual_dir.
    {what_to_put}"`` without one, ``not_downloaded`` saying why (e.g.
    ``"CREMA-D is not downloaded automatically (its audio is in git-lfs)"``),
    and as :func:`manual_dir_or_none` for a missing or empty one.
    """
    manual = manual_dir_or_none(dl_manager, what_to_put)
    if manual is None:
        raise ManualDirError(f"{not_downloaded}: pass --manual_dir. {what_to_put}")
    return manual


def find_in_archives(
    manual: epath.Path,
    find_root: Callable[[epath.Path], epath.Path | None],
    extract: Callable[[epath.Path], Any],
    is_archive: Callable[[str], bool],
) -> epath.Path | None:
    """``find_root(manual)``, else ``find_root`` of the first archive of
    manual_dir (a file whose name ``is_archive`` accepts, in sorted order)
    that holds the corpus once extracted with ``extract`` (a
    ``DownloadManager.extract``); None if none does.

    For releases whose archive name is not documented or varies.
    """
    root = find_root(manual)
    if root is not None:
        return root
    for archive in sorted(manual.iterdir()):
        if archive.is_file() and not is_junk(archive.name) and is_archive(archive.name):
            root = find_root(epath.Path(extract(archive)))
            if root is not None:
                return root
    return None


def corpus_root(
    dl_manager: tfds.download.DownloadManager,
    url: str | None,
    zip_name: str,
    find_root: Callable[[epath.Path], epath.Path | None],
    layout: str,
    what_to_put: str,
    not_downloaded: str = NOT_DOWNLOADED,
) -> epath.Path:
    """Where the corpus's files are: manual_dir, the official zip in it, or a download.

    `find_root` locates the corpus `layout` (e.g. "Actor_XX/ folders") inside
    a folder, or returns None. `url=None`: a corpus that cannot be downloaded
    (its licence stands in the way, ...; `not_downloaded` says why, see
    :func:`require_manual_dir`), which must be in manual_dir.
    """
    if url is None:
        manual = require_manual_dir(dl_manager, what_to_put, not_downloaded)
    else:
        manual = manual_dir_or_none(dl_manager, what_to_put)
    if manual is None:
        source = dl_manager.download_and_extract(url)
    elif (manual / zip_name).exists() and find_root(manual) is None:
        source = dl_manager.extract(manual / zip_name)
    else:
        source = manual
    root = find_root(epath.Path(source))
    if root is None:
        raise ManualDirError(f"No {layout} found in {source}. {what_to_put}")
    return root


def generate_examples(
    root: epath.Path, files: Files, sample_rate: int = SAMPLE_RATE
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, example) per file: int16 audio at ``sample_rate`` (16 kHz), its
    path as key and name."""
    for rel, labels in files:
        audio = read_audio_int16(root / rel, sample_rate)
        yield rel, {"audio": audio, "file_name": rel, **labels}


SOURCE_RATE = "source_sample_rate"
"""The feature of a native-rate builder (``ravdess_48k``) holding the rate
each file had before it was resampled to the builder's ``SAMPLE_RATE``."""


def generate_examples_recording_rate(
    root: epath.Path, files: Files, sample_rate: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    """:func:`generate_examples` with each file's own rate (``SOURCE_RATE``),
    and a warning, after the split's last file, counting the files that had
    a lower rate than ``sample_rate``: upsampled, they have nothing above
    their own Nyquist frequency."""
    files = list(files)
    upsampled = collections.Counter()
    for (rel, _), (key, example) in zip(
        files, generate_examples(root, files, sample_rate), strict=True
    ):
        rate = int(sf.info(os.fspath(root / rel)).samplerate)
        if rate < sample_rate:
            upsampled[rate] += 1
        yield key, {**example, SOURCE_RATE: rate}
    if upsampled:
        found = ", ".join(f"{n} at {r} Hz" for r, n in sorted(upsampled.items()))
        logging.warning(
            "%s: %d of %d files had a lower rate than %d Hz (%s) and were "
            "upsampled: they hold nothing above half their own rate.",
            root,
            sum(upsampled.values()),
            len(files),
            sample_rate,
            found,
        )


def speaker_split_generators(
    root: epath.Path,
    by_speaker: Listing,
    nothing_found: str,
    what_to_put: str,
    generate: Callable[[epath.Path, Files], Iterator] = generate_examples,
) -> dict[str, Iterator]:
    """``{"speaker_<code>": generate(root, files)}``, in sorted speaker order.

    Raises :class:`ManualDirError` with the message ``f"{nothing_found}.
    {what_to_put}"`` when ``by_speaker`` is empty; ``nothing_found`` names
    what was looked for and where, e.g. ``f"No .wav files found in {root}"``.
    """
    if not by_speaker:
        raise ManualDirError(f"{nothing_found}. {what_to_put}")
    return {
        split: generate(root, files)
        for split, files in speaker_splits(by_speaker).items()
    }


@dataclasses.dataclass(eq=False)
class LabelSubsetConfig(tfds.core.BuilderConfig):
    """A config keeping the examples of some label codes (a corpus's consensus
    categories), each as a ClassLabel name; see :func:`select_labels`.

    Attributes:
      emotions: the ClassLabel names, in order.
      code_to_emotion: label code -> ClassLabel name; examples whose code is
        not a key are left out of the config (several codes may share a name).
    """

    emotions: tuple[str, ...] = ()
    code_to_emotion: Mapping[str, str] = dataclasses.field(default_factory=dict)


def select_labels(
    items: Iterable[tuple[str, Mapping[str, Any]]],
    code_to_emotion: Mapping[str, str],
    code_key: str = "consensus",
) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """``{speaker: [(rel, labels with "emotion"), ...]}`` of the ``items``
    (``(rel, labels)``) whose ``labels[code_key]`` ``code_to_emotion`` maps
    to a class name: the files of a :class:`LabelSubsetConfig`."""
    by_speaker: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for rel, labels in items:
        emotion = code_to_emotion.get(labels[code_key])
        if emotion is not None:
            by_speaker.setdefault(labels["speaker"], []).append(
                (rel, {**labels, "emotion": emotion})
            )
    return by_speaker


class CorpusBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """A corpus of labelled audio files, one split per speaker.

    The files come from manual_dir (the official zip or its extracted
    content) or, without a manual_dir, from ``URL`` (see :func:`corpus_root`),
    and are stored with :func:`generate_examples`. A subclass sets the class
    attributes below and ``VERSION``, ``RELEASE_NOTES``,
    ``MANUAL_DOWNLOAD_INSTRUCTIONS``, and defines ``_info`` (features from
    :func:`core_features`), ``find_corpus_root`` and ``list_files`` (static:
    module-level functions wrapped in ``staticmethod``; ``list_files`` may be
    a method when the files depend on the builder config). A corpus found
    another way than :func:`corpus_root` (archives of any name, ...)
    overrides :meth:`locate_corpus`.
    """

    URL: ClassVar[str | None]
    """Where the corpus is downloaded from when no manual_dir is given; None
    when it must be downloaded by hand (``NOT_DOWNLOADED`` says why)."""
    NOT_DOWNLOADED: ClassVar[str] = NOT_DOWNLOADED
    """Why a corpus with ``URL = None`` is not downloaded, e.g. ``"CREMA-D is
    not downloaded automatically (its audio is in git-lfs)"``; the error
    without a manual_dir (see :func:`require_manual_dir`)."""
    ZIP_NAME: ClassVar[str]
    """The name of the official zip, which manual_dir may hold."""
    LAYOUT: ClassVar[str]
    """What ``find_corpus_root`` looks for, e.g. ``"wav/ folder"``."""
    WHAT_TO_PUT: ClassVar[str]
    """What manual_dir must hold; ends every :class:`ManualDirError`."""
    NOTHING_FOUND: ClassVar[str]
    """The error when ``list_files`` finds nothing; ``{root}`` is replaced by
    the corpus root, e.g. ``"No .wav files found in {root}/wav"``."""

    SAMPLE_RATE: ClassVar[int] = SAMPLE_RATE
    """The rate its audio is stored at (resampled at build time): 16 kHz, the
    rate every ser_jax corpus shares; a subclass may keep a corpus's native
    rate (``ravdess_48k``), passing it to :func:`core_features` in ``_info``."""

    KNOWN_BAD: ClassVar[Mapping[str, str]] = {}
    """Files of the official release documented as unusable (silent,
    misnamed, ...): relative path -> why. They are left out of the splits and
    listed in the dataset's metadata (`info.metadata["skipped_files"]`)."""

    def corpus_info(self, features: tfds.features.FeaturesDict, **kwargs):
        """`dataset_info_from_configs` with the audio/emotion supervised keys
        and, when the release has known-bad files, the list of those skipped."""
        if self.KNOWN_BAD:
            kwargs["metadata"] = tfds.core.MetadataDict(
                skipped_files=dict(sorted(self.KNOWN_BAD.items()))
            )
        return self.dataset_info_from_configs(
            features=features, supervised_keys=("audio", "emotion"), **kwargs
        )

    @staticmethod
    @abc.abstractmethod
    def find_corpus_root(path: epath.Path) -> epath.Path | None:
        """The folder inside ``path`` (or ``path``) holding the corpus, or None."""

    @staticmethod
    @abc.abstractmethod
    def list_files(root: epath.Path) -> Listing:
        """The corpus's files under ``root``, by speaker, with their labels."""

    def locate_corpus(self, dl_manager: tfds.download.DownloadManager) -> epath.Path:
        """The corpus root: :func:`corpus_root` with the class attributes."""
        return corpus_root(
            dl_manager,
            self.URL,
            self.ZIP_NAME,
            self.find_corpus_root,
            self.LAYOUT,
            self.WHAT_TO_PUT,
            self.NOT_DOWNLOADED,
        )

    def without_known_bad(self, listing: Listing) -> Listing:
        """``listing`` less the ``KNOWN_BAD`` files and the speakers left
        without files."""
        kept = {
            speaker: [
                (rel, labels) for rel, labels in files if rel not in self.KNOWN_BAD
            ]
            for speaker, files in listing.items()
        }
        return {speaker: files for speaker, files in kept.items() if files}

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        root = self.locate_corpus(dl_manager)
        return speaker_split_generators(
            root,
            self.without_known_bad(self.list_files(root)),
            self.NOTHING_FOUND.format(root=root),
            self.WHAT_TO_PUT,
            self._generate_examples,
        )

    def _generate_examples(self, root: epath.Path, files: Files):
        return generate_examples(root, files, self.SAMPLE_RATE)

"""Pieces shared by the ser_jax TFDS builders (features, splits, manual_dir).

Like every module under ``data_builders/``, this one imports nothing from
``ser_jax``: ``tfds build data_builders/<name>`` does not load the library.

Every builder exposes the same core features, which the training code relies
on:

* ``audio``: ``tfds.features.Audio(shape=(None,), dtype=np.int16,
  sample_rate=16000)``, mono, resampled with ``data_builders.audio.load_audio``.
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
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
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
    emotion_names: Iterable[str], **extra: tfds.features.FeatureConnector
) -> tfds.features.FeaturesDict:
    """The features every ser_jax builder has, plus ``extra`` ones."""
    return tfds.features.FeaturesDict(
        {
            # Stored as a tf.train.Int64List (TFDS 4.9.10's Audio feature
            # fails with encoding="bytes" for array input), i.e. about 2.2x
            # the raw int16 size on disk.
            "audio": tfds.features.Audio(
                shape=(None,), dtype=np.int16, sample_rate=SAMPLE_RATE
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


def read_audio_int16(path: epath.Path) -> np.ndarray:
    """16 kHz mono int16; raises ``AudioError`` naming the file if unusable."""
    return to_int16(load_audio(path, sample_rate=SAMPLE_RATE))


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


def corpus_root(
    dl_manager: tfds.download.DownloadManager,
    url: str | None,
    zip_name: str,
    find_root: Callable[[epath.Path], epath.Path | None],
    layout: str,
    what_to_put: str,
) -> epath.Path:
    """Where the corpus's files are: manual_dir, the official zip in it, or a download.

    `find_root` locates the corpus `layout` (e.g. "Actor_XX/ folders") inside
    a folder, or returns None. `url=None`: a corpus whose licence stands in the
    way of a download, which must be in manual_dir.
    """
    manual = manual_dir_or_none(dl_manager, what_to_put)
    if manual is None and url is None:
        raise ManualDirError(
            "This corpus cannot be downloaded automatically (its licence asks "
            f"users to obtain it themselves): pass --manual_dir. {what_to_put}"
        )
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
    root: epath.Path, files: Files
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, example) per file: 16 kHz int16 audio, its path as key and name."""
    for rel, labels in files:
        audio = read_audio_int16(root / rel)
        yield rel, {"audio": audio, "file_name": rel, **labels}


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


class CorpusBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """A corpus of labelled audio files, one split per speaker.

    The files come from manual_dir (the official zip or its extracted
    content) or, without a manual_dir, from ``URL`` (see :func:`corpus_root`),
    and are stored with :func:`generate_examples`. A subclass sets the class
    attributes below and ``VERSION``, ``RELEASE_NOTES``,
    ``MANUAL_DOWNLOAD_INSTRUCTIONS``, and defines ``_info`` (features from
    :func:`core_features`), ``find_corpus_root`` and ``list_files`` (static:
    module-level functions wrapped in ``staticmethod``).
    """

    URL: ClassVar[str | None]
    """Where the corpus is downloaded from when no manual_dir is given; None
    when its licence requires a manual download."""
    ZIP_NAME: ClassVar[str]
    """The name of the official zip, which manual_dir may hold."""
    LAYOUT: ClassVar[str]
    """What ``find_corpus_root`` looks for, e.g. ``"wav/ folder"``."""
    WHAT_TO_PUT: ClassVar[str]
    """What manual_dir must hold; ends every :class:`ManualDirError`."""
    NOTHING_FOUND: ClassVar[str]
    """The error when ``list_files`` finds nothing; ``{root}`` is replaced by
    the corpus root, e.g. ``"No .wav files found in {root}/wav"``."""

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

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        root = corpus_root(
            dl_manager,
            self.URL,
            self.ZIP_NAME,
            self.find_corpus_root,
            self.LAYOUT,
            self.WHAT_TO_PUT,
        )
        listing = {
            speaker: [
                (rel, labels) for rel, labels in files if rel not in self.KNOWN_BAD
            ]
            for speaker, files in self.list_files(root).items()
        }
        return speaker_split_generators(
            root,
            {speaker: files for speaker, files in listing.items() if files},
            self.NOTHING_FOUND.format(root=root),
            self.WHAT_TO_PUT,
            self._generate_examples,
        )

    def _generate_examples(self, root: epath.Path, files: Files):
        return generate_examples(root, files)

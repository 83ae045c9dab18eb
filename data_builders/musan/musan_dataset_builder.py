"""MUSAN: music, speech and noise recordings, one split per category.

Not an emotion corpus: ser_jax mixes its recordings into test (or training)
speech (`ser_jax.noise`, `evaluation.noise=musan_music` etc.). The release
holds three category folders, `music/`, `noise/` and `speech/`, each with
source subfolders (e.g. `noise/free-sound/`) of .wav files and an
`ANNOTATIONS` file per subfolder whose lines start with a file's name
without `.wav` followed by its annotation (for music: genre, vocals Y/N,
artist, as Kaldi's `make_musan.py` reads them).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils
from data_builders.audio import SAMPLE_RATE

HOMEPAGE = "https://www.openslr.org/17/"
CATEGORIES = ("music", "noise", "speech")
ANNOTATIONS = "ANNOTATIONS"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
_MAX_DEPTH = 2  # musan/ may sit this many folder levels below manual_dir

WHAT_TO_PUT = (
    "Put MUSAN there: the release's archive (musan.tar.gz from OpenSLR "
    "resource 17) or its extracted folder holding music/, noise/ and speech/ "
    f"(directly or up to {_MAX_DEPTH} folder levels down)."
)


def is_root(folder: epath.Path) -> bool:
    """A folder holding at least one MUSAN category folder."""
    return any((folder / c).is_dir() for c in CATEGORIES)


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    return builder_utils.find_folder(path, is_root, depth=_MAX_DEPTH)


def read_annotations(path: epath.Path) -> dict[str, str]:
    """`{file name without .wav: the rest of its line}` of an ANNOTATIONS file."""
    out = {}
    for line in builder_utils.read_text(path).splitlines():
        fields = line.split(maxsplit=1)
        if fields:
            out[fields[0]] = fields[1].strip() if len(fields) > 1 else ""
    return out


def vocals(category: str, annotation: str) -> int:
    """1 / 0 when a music annotation says the piece has vocals (Y) or not (N),
    -1 otherwise (noise, speech, or no annotation)."""
    fields = annotation.split()
    if category != "music" or len(fields) < 2 or fields[1] not in ("Y", "N"):
        return -1
    return int(fields[1] == "Y")


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """`{category: [(path below root, labels), ...]}` of the categories present."""
    out = {}
    for category in CATEGORIES:
        folder = root / category
        if not folder.is_dir():
            continue
        files = []
        for path in builder_utils.walk_files(folder, depth=2):
            if path.suffix.lower() != ".wav":
                continue
            notes = path.parent / ANNOTATIONS
            annotation = (
                read_annotations(notes).get(path.stem, "") if notes.exists() else ""
            )
            rel = str(path.relative_to(root)).replace("\\", "/")
            source = path.parent.name if path.parent != folder else ""
            files.append(
                (
                    rel,
                    {
                        "source": source,
                        "annotation": annotation,
                        "vocals": vocals(category, annotation),
                    },
                )
            )
        if files:
            out[category] = sorted(files)
    return out


class Builder(tfds.core.GeneratorBasedBuilder):
    """DatasetBuilder for MUSAN."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: one split per category."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Download MUSAN from OpenSLR (resource 17, {HOMEPAGE}): musan.tar.gz.
    Put the archive in manual_dir, or its extracted musan/ folder (music/,
    noise/, speech/).
    """

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "audio": tfds.features.Audio(
                        shape=(None,), dtype=np.int16, sample_rate=SAMPLE_RATE
                    ),
                    "file_name": tfds.features.Text(),
                    "source": tfds.features.Text(),
                    "annotation": tfds.features.Text(),
                    "vocals": np.int32,
                }
            ),
            homepage=HOMEPAGE,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        manual = builder_utils.require_manual_dir(
            dl_manager,
            WHAT_TO_PUT,
            "MUSAN is not downloaded automatically (no address of its archive was "
            "verified for this builder)",
        )
        root = builder_utils.find_in_archives(
            manual,
            find_corpus_root,
            dl_manager.extract,
            lambda name: name.lower().endswith(ARCHIVE_SUFFIXES),
        )
        if root is None:
            raise builder_utils.ManualDirError(
                f"No MUSAN category folder ({', '.join(CATEGORIES)}) found in "
                f"{manual}. {WHAT_TO_PUT}"
            )
        listing = list_files(root)
        if not listing:
            raise builder_utils.ManualDirError(
                f"No .wav files found in {root}/{{{','.join(CATEGORIES)}}}. "
                f"{WHAT_TO_PUT}"
            )
        return {
            category: self._generate_examples(root, files)
            for category, files in listing.items()
        }

    def _generate_examples(
        self, root: epath.Path, files: list[tuple[str, dict]]
    ) -> Iterator[tuple[str, dict]]:
        return builder_utils.generate_examples(root, files)

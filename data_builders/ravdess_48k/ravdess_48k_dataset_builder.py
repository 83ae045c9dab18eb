"""RAVDESS speech audio at the release's native 48 kHz (`ravdess_48k`).

For features whose window and hop are given in samples at that rate:
Sundharam & Johari's FFT 1024 / hop 256 are 21.3 / 5.3 ms at 48 kHz, 64 / 16
ms at 16 kHz. The files, labels and splits are `ravdess`'s (its module; the
same manual_dir, zip or download); a folder of its own because `tfds build
data_builders/<folder>` builds the one builder a module defines.
"""

from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils
from data_builders.ravdess import ravdess_dataset_builder


class Builder(ravdess_dataset_builder.Builder):
    """RAVDESS speech audio at the release's 48 kHz (`ravdess_48k`).

    The same files, labels and splits as `ravdess`, stored at 48 kHz (about
    3x the disk). Train on it with `corpus=ravdess_48k`: the front-ends take
    the corpus's rate. The release's speech files are 48 kHz; a copy at a
    lower rate (e.g. one already resampled to 16 kHz) is upsampled, which
    adds nothing above its Nyquist frequency, so each example records the
    rate its file had (`source_sample_rate`) and the build logs a warning
    counting the upsampled files (`ser_jax` warns again when it reads them).
    """

    name = "ravdess_48k"
    SAMPLE_RATE = 48000
    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "RAVDESS speech audio at 48 kHz, with each file's own rate."
    }

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                ravdess_dataset_builder.EMOTIONS,
                self.SAMPLE_RATE,
                intensity=tfds.features.ClassLabel(
                    names=list(ravdess_dataset_builder.INTENSITIES)
                ),
                statement=tfds.features.ClassLabel(
                    names=list(ravdess_dataset_builder.STATEMENTS)
                ),
                repetition=tfds.features.Scalar(dtype=np.int32),
                **{builder_utils.SOURCE_RATE: tfds.features.Scalar(dtype=np.int32)},
            ),
            homepage="https://zenodo.org/record/1188976",
        )

    def _generate_examples(self, root: epath.Path, files: builder_utils.Files):
        return builder_utils.generate_examples_recording_rate(
            root, files, self.SAMPLE_RATE
        )

"""DatasetBuilderTestCase for ravdess over dummy_data/ (see make_dummy_data.py)."""

import tensorflow_datasets as tfds

from data_builders.ravdess import ravdess_dataset_builder


class RavdessTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = ravdess_dataset_builder.Builder
    # Actor_01 also holds a song file (03-02-...), which is skipped.
    SPLITS = {"speaker_01": 2, "speaker_02": 3}


if __name__ == "__main__":
    tfds.testing.test_main()

"""DatasetBuilderTestCase for emodb over dummy_data/ (see make_dummy_data.py)."""

import tensorflow_datasets as tfds

from data_builders.emodb import emodb_dataset_builder


class EmodbTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = emodb_dataset_builder.Builder
    SPLITS = {"speaker_03": 2, "speaker_08": 1, "speaker_16": 1}


if __name__ == "__main__":
    tfds.testing.test_main()

"""DatasetBuilderTestCase for synthetic, config ``tiny`` (2 clips per emotion)."""

import tensorflow_datasets as tfds

from data_builders.synthetic import synthetic_dataset_builder


class SyntheticTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = synthetic_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["tiny"]
    # 7 emotions x 2 utterances per speaker.
    SPLITS = {f"speaker_{i:02d}": 14 for i in range(8)}


if __name__ == "__main__":
    tfds.testing.test_main()

"""TFDS builders for ser_jax: `import data_builders` registers them with TFDS.

* ``ravdess``: RAVDESS speech audio (24 actors, 8 emotions).
* ``emodb``: EMO-DB, the Berlin Database of Emotional Speech (10 speakers).
* ``synthetic``: a generated corpus (``synthetic/synthetic_speech.py``), no
  download.
* ``own_corpus``: your own labelled recordings (a label table or file-name
  pattern), configured on the command line.

All share the features and per-speaker splits described in
``data_builders.builder_utils``. Nothing here imports ``ser_jax`` (the library
imports this package to register the builders), so that ``tfds build
data_builders/<name>`` does not load the library.
"""

from data_builders.emodb import emodb_dataset_builder
from data_builders.iemocap import iemocap_dataset_builder
from data_builders.msp_improv import msp_improv_dataset_builder
from data_builders.own_corpus import own_corpus_dataset_builder
from data_builders.ravdess import ravdess_dataset_builder
from data_builders.synthetic import synthetic_dataset_builder

__all__ = [
    "emodb_dataset_builder",
    "iemocap_dataset_builder",
    "msp_improv_dataset_builder",
    "own_corpus_dataset_builder",
    "ravdess_dataset_builder",
    "synthetic_dataset_builder",
]

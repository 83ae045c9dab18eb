"""TFDS builders for ser_jax: `import data_builders` registers them with TFDS.

One folder per corpus (its README gives source, licence, citation, the
manual-download steps and the quirks of its release; `counts.json` the
official counts `python -m ser_jax.check_corpus` compares a build with):
ravdess (and ravdess_48k, at the release's rate), emodb, cremad, surrey_savee, tess, jl_corpus, portuguese, iemocap,
msp_improv, enterface, cafe, emofilm, demos, smartkom, shemo, emovo, urdu,
nemo, subesco (Keesing et al.'s 15 corpora and four more), `own_corpus`
(any labelled recordings) and `synthetic` (generated, no download); and
`musan`, noise recordings (one split per category, no speakers or emotions)
that `ser_jax.noise` mixes into speech.

All share the features and per-speaker splits described in
``data_builders.builder_utils``, which also holds what several releases need
(label files of unknown encoding, a corpus somewhere below manual_dir,
archives). Nothing here imports ``ser_jax`` (the library imports this package
to register the builders), so that ``tfds build data_builders/<name>`` does
not load the library. The tests and ``make_dummy_data.py`` scripts share
``data_builders.testing``, which no builder imports.
"""

from data_builders.cafe import cafe_dataset_builder
from data_builders.cremad import cremad_dataset_builder
from data_builders.demos import demos_dataset_builder
from data_builders.emodb import emodb_dataset_builder
from data_builders.emofilm import emofilm_dataset_builder
from data_builders.emovo import emovo_dataset_builder
from data_builders.enterface import enterface_dataset_builder
from data_builders.iemocap import iemocap_dataset_builder
from data_builders.jl_corpus import jl_corpus_dataset_builder
from data_builders.msp_improv import msp_improv_dataset_builder
from data_builders.musan import musan_dataset_builder
from data_builders.nemo import nemo_dataset_builder
from data_builders.own_corpus import own_corpus_dataset_builder
from data_builders.portuguese import portuguese_dataset_builder
from data_builders.ravdess import ravdess_dataset_builder
from data_builders.ravdess_48k import ravdess_48k_dataset_builder
from data_builders.shemo import shemo_dataset_builder
from data_builders.smartkom import smartkom_dataset_builder
from data_builders.subesco import subesco_dataset_builder
from data_builders.surrey_savee import surrey_savee_dataset_builder
from data_builders.synthetic import synthetic_dataset_builder
from data_builders.tess import tess_dataset_builder
from data_builders.urdu import urdu_dataset_builder

__all__ = [
    "cafe_dataset_builder",
    "cremad_dataset_builder",
    "demos_dataset_builder",
    "emodb_dataset_builder",
    "emofilm_dataset_builder",
    "emovo_dataset_builder",
    "enterface_dataset_builder",
    "iemocap_dataset_builder",
    "jl_corpus_dataset_builder",
    "msp_improv_dataset_builder",
    "musan_dataset_builder",
    "nemo_dataset_builder",
    "own_corpus_dataset_builder",
    "portuguese_dataset_builder",
    "ravdess_48k_dataset_builder",
    "ravdess_dataset_builder",
    "shemo_dataset_builder",
    "smartkom_dataset_builder",
    "subesco_dataset_builder",
    "surrey_savee_dataset_builder",
    "synthetic_dataset_builder",
    "tess_dataset_builder",
    "urdu_dataset_builder",
]

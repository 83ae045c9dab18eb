"""Satt et al. (2017) two-step predictor: 4-class CNN-LSTM, then neutral-vs-X conv models.

    python -m ser_jax.main --config=configs/satt_two_step.py:corpus=ravdess --workdir=runs/two_step

Arguments as `configs/cnn_lstm.py` (`corpus`, `protocol`). The paper's best
IEMOCAP UA (62.0 %; its WA, 67.3 %, was below the CNN-LSTM's 68.8 %): run the 4-class model (anger, happiness, neutral,
sadness); if its top class is not neutral keep it, otherwise run three binary
conv-only models, neutral vs each other class, and pick the class with the
highest posterior (`ser_jax/two_step.py`). Per fold: the first stage is this
config's model (`configs/cnn_lstm.py`'s 3-conv + BiLSTM, `satt_cnn_lstm`) on
the four classes; `two_step.binary_model` is `configs/satt_cnn.py`'s 5-conv
model (`satt_cnn`), trained on the fold's neutral and X utterances only. Both
stages share front-end (10 Hz spectrogram), segmentation (3 s
sub-utterances), protocol, validation speakers and training fields (30
epochs, lr 1e-3, class weights, best epoch on validation UAR).

Choices the paper leaves open:
- "The class with the highest posterior" is read as the highest of the six
  posteriors of the three binary models: X wins with p(X) from neutral-vs-X,
  and neutral stays when some binary model is surer of neutral than any model
  is of its other class (`two_step.combine`, unit-tested). Not implemented:
  comparing only the three non-neutral posteriors (the second step could then
  never keep neutral) or pooling the three neutral posteriors (mean, product);
  `fold_XX/stage_posteriors.npz` keeps what another rule needs.
- The binary models' widths, kernels and pooling are `configs/satt_cnn.py`'s
  (the paper gives none); each is validated on the fold's validation speakers'
  neutral and X utterances (binary UAR picks its best epoch).
- The corpora's emotions are mapped onto the paper's four (`four_class_map`); the
  others are dropped, RAVDESS calm included (not merged with neutral). Another
  map: `--config.dataset.label_map=...` with `two_step.neutral` among its values.
- The decision is per utterance: each model's utterance posterior is the mean
  over its sub-utterances, as every neural run's utterance-level result.
"""

import ml_collections
import tensorflow_datasets as tfds

import data_builders  # noqa: F401  (registers the builders)
from configs import cnn_lstm, satt_cnn
from ser_jax.data.emotions import canonical_emotion

FOUR_CLASSES = ("anger", "happiness", "neutral", "sadness")


def four_class_map(corpus: str) -> dict[str, str]:
    """`dataset.label_map` of the four classes: the corpus's own emotion names
    (its builder's ClassLabel) of anger, happiness, neutral and sadness, by
    their shared names (`ser_jax/data/emotions.py`); merged corpora (`a+b`)
    carry the shared names already."""
    if "+" in corpus:
        return {c: c for c in FOUR_CLASSES}
    names = tfds.builder(corpus).info.features["emotion"].names
    label_map = {n: canonical_emotion(n) for n in names}
    label_map = {n: c for n, c in label_map.items() if c in FOUR_CLASSES}
    if sorted(label_map.values()) != sorted(FOUR_CLASSES):
        raise ValueError(
            f"configs/satt_two_step.py: {corpus!r} has emotions {names}, not all of "
            f"{FOUR_CLASSES}; give --config.dataset.label_map"
        )
    return label_map


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = cnn_lstm.get_config(arg)
    config.method = "two_step"
    config.dataset.label_map = four_class_map(config.dataset.corpus)
    config.two_step = ml_collections.ConfigDict()
    config.two_step.neutral = "neutral"
    config.two_step.binary_model = satt_cnn.get_config(arg).model
    return config

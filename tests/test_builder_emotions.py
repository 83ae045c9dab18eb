"""Every builder's emotion names map onto ser_jax's shared names, so any two
corpora combine (`corpus=a+b`) and the cross-corpus protocols work."""

import importlib
from pathlib import Path

import pytest

import data_builders
from ser_jax.data import emotions

BUILDERS = sorted(
    p.parent.name
    for p in Path(data_builders.__file__).parent.glob("*/*_dataset_builder.py")
    # own_corpus: its names are the user's; musan: noise, no emotions.
    if p.parent.name not in ("own_corpus", "musan")
)


def configs_of(name: str):
    module = importlib.import_module(f"data_builders.{name}.{name}_dataset_builder")
    return module.Builder, [c.name for c in module.Builder.BUILDER_CONFIGS] or [None]


@pytest.mark.parametrize("name", BUILDERS)
def test_emotion_names_have_a_shared_name(name, tmp_path):
    builder_cls, configs = configs_of(name)
    for config in configs:
        builder = builder_cls(config=config, data_dir=str(tmp_path))
        names = builder.info.features["emotion"].names
        unmapped = [
            n
            for n in names
            if emotions.canonical_emotion(n) not in emotions.EMOTION_SYNONYMS
            and n.lower() not in emotions.NOT_EMOTIONS
        ]
        assert not unmapped, f"{name}/{config}: {unmapped} have no shared name"


def test_the_builders_are_found():
    assert {"ravdess", "emodb", "synthetic"} <= set(BUILDERS)


def test_any_two_corpora_share_emotions(tmp_path):
    names = {}
    for name in BUILDERS:
        builder_cls, configs = configs_of(name)
        builder = builder_cls(config=configs[0], data_dir=str(tmp_path))
        names[name] = builder.info.features["emotion"].names
    for i, a in enumerate(BUILDERS):
        for b in BUILDERS[i + 1 :]:
            maps = emotions.shared_label_map(names[a], names[b])  # raises if < 2
            assert len(maps[0]) >= 2, (a, b)

"""Synthetic acted-emotion corpus from synthetic_speech.py (no download)."""

from __future__ import annotations

import dataclasses

import tensorflow_datasets as tfds

from data_builders import builder_utils
from data_builders.audio import to_int16
from data_builders.synthetic import synthetic_speech

EMOTIONS = synthetic_speech.EMOTIONS


@dataclasses.dataclass
class SyntheticConfig(tfds.core.BuilderConfig):
    """Size and seed of the generated corpus."""

    utterances_per_emotion: int = 20
    num_speakers: int = 8
    seed: int = 0


class Builder(tfds.core.GeneratorBasedBuilder):
    """DatasetBuilder for the synthetic corpus."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [
        SyntheticConfig(
            name="default",
            description="8 speakers x 7 emotions x 20 utterances (1120 clips).",
            utterances_per_emotion=20,
        ),
        SyntheticConfig(
            name="tiny",
            description="8 speakers x 7 emotions x 2 utterances (112 clips), for tests.",
            utterances_per_emotion=2,
        ),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "default"

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=builder_utils.core_features(EMOTIONS),
            supervised_keys=("audio", "emotion"),
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        del dl_manager  # Nothing to download.
        cfg = self.builder_config
        speakers = [
            p.speaker
            for p in synthetic_speech.speaker_profiles(cfg.seed, cfg.num_speakers)
        ]
        return {
            builder_utils.split_name(spk): self._generate_examples(spk)
            for spk in sorted(speakers)
        }

    def _generate_examples(self, speaker: str):
        cfg = self.builder_config
        for item in synthetic_speech.generate_corpus(
            seed=cfg.seed,
            utterances_per_emotion=cfg.utterances_per_emotion,
            num_speakers=cfg.num_speakers,
            speakers=[speaker],
        ):
            yield (
                item["file_name"],
                {
                    "audio": to_int16(item["audio"]),
                    "emotion": item["emotion"],
                    "speaker": item["speaker"],
                    "gender": item["gender"],
                    "file_name": item["file_name"],
                },
            )

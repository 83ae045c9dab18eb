"""Anand & Verma's R7: R1 trained on 9x data made by pitch shifts and time scaling.

    python -m ser_jax.main --config=configs/anand_r7.py:corpus=emodb --workdir=runs/anand_r7

Everything as `configs/anand_r1.py`, plus 8 augmented copies of every training
chunk per epoch (9x data, as the report's R7, 55.0 % on eNTERFACE against
R1's 39.7 %), each shifted in pitch by a uniform -2..+2 semitones and scaled
in time by a uniform 0.9..1.1 (the report gives neither range). The copies
are made on the device from the chunk's spectrogram
(`ser_jax/augmentation.py`: the linear frequency axis resampled by
2**(s/12), the frames by the time factor), freshly drawn every epoch.
"""

import ml_collections

from configs import anand_r1


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = anand_r1.get_config(arg)
    config.augmentation.copies = 8
    config.augmentation.pitch_semitones = (-2.0, 2.0)
    config.augmentation.time_scale = (0.9, 1.1)
    return config

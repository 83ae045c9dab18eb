"""Noise for robustness studies: sources, mixing at an SNR, noisy evaluation.

- `generated`: noises made in JAX from a key (white, pink, brown, music-like,
  applause-like bursts), for when no noise corpus is present;
- `sources`: the named noises a run mixes in (the generated ones, babble from
  the fold's training speakers, the MUSAN categories) and the sets of them;
- `mixing`: the speech's active level and mixing at a set SNR, on the device.

`config.evaluation.noise` / `snr_db` test a run on noisy audio;
`config.augmentation.noise` / `noise_snr_db` train on noisy copies; the noise
study (`python -m ser_jax.studies --study=noise`) tabulates both models.
"""

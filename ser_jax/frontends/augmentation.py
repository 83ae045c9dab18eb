"""Data augmentation inside the jitted training step.

The papers enlarge the training set with transformed copies of each file:
Sundharam & Johari add two copies with white Gaussian noise at an SNR drawn
from 15-30 dB; Anand & Verma's R7 trains on 9x data made by pitch shifts and
time scaling. Here an epoch visits every training segment `1 + copies` times
(`ser_jax.data.batches.batches(..., copies=...)`); copy 0 is the original, the
others are transformed on the device with fresh random draws each epoch
(where the papers made their copies once).

- `white_noise_snr_db=(lo, hi)`: Gaussian noise at an SNR drawn uniformly in
  [lo, hi] dB relative to the segment's own power over its valid samples.
- `noise="generated"` (a noise, a set or several: `ser_jax.noise.sources`)
  with `noise_snr_db=(lo, hi)`: a fresh excerpt of a noise drawn from the set
  per example, mixed at an SNR drawn uniformly in [lo, hi] dB relative to the
  segment's active speech level (`ser_jax.noise.mixing`); babble is made of
  the fold's training speakers. The trainer attaches the fold's sources.
- `pitch_semitones=(lo, hi)` and `time_scale=(lo, hi)`: the spectrogram is
  resampled along frequency by 2**(s/12) and along time by r, with s and r
  drawn uniformly. On a linear-frequency spectrogram (Satt's, Anand's) the
  first moves every harmonic and formant by the same factor, like librosa's
  `pitch_shift` (resampling, no formant preservation), and the second
  stretches the frames as a phase-vocoder time stretch does, so both act on
  the features the model sees, not on the waveform.

Random draws are keyed by the step and the example's position in the global
batch, so one and several devices augment identically.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import ml_collections

from ser_jax.frontends.anand import AnandSpectrogram
from ser_jax.frontends.framing import mask_audio, mask_frames
from ser_jax.frontends.precomputed import PrecomputedFrames
from ser_jax.frontends.raw import RawWaveform
from ser_jax.frontends.satt import SattSpectrogram
from ser_jax.noise import sources as noise_sources
from ser_jax.noise.sources import NoiseSources

# Front-ends whose second axis is linear in frequency (pitch shifts scale it).
LINEAR_FREQUENCY = (SattSpectrogram, AnandSpectrogram)
RANGES = ("white_noise_snr_db", "noise_snr_db", "pitch_semitones", "time_scale")


@dataclasses.dataclass(frozen=True)
class Augmentation:
    """What to do to the augmented copies (empty ranges: off)."""

    copies: int = 0
    white_noise_snr_db: tuple[float, ...] = ()
    noise_snr_db: tuple[float, ...] = ()
    pitch_semitones: tuple[float, ...] = ()
    time_scale: tuple[float, ...] = ()
    noise: tuple[str, ...] = ()  # noise names (`ser_jax.noise.sources.parse`)
    # The fold's noise sources on the device (set by the trainer).
    sources: NoiseSources | None = dataclasses.field(default=None, compare=False)

    @property
    def active(self) -> bool:
        return self.copies > 0

    @property
    def warps(self) -> bool:
        return bool(self.pitch_semitones or self.time_scale)


def create(config: ml_collections.ConfigDict | None, frontend) -> Augmentation:
    """Validates `config.augmentation` against the front-end it will act on."""
    if not config:
        return Augmentation()
    aug = Augmentation(
        copies=int(config.get("copies", 0)),
        **{name: tuple(float(v) for v in config.get(name, ())) for name in RANGES},
        noise=noise_sources.parse(config.noise) if config.get("noise") else (),
    )
    for name in RANGES:
        value = getattr(aug, name)
        if value and (len(value) != 2 or value[0] > value[1]):
            raise ValueError(f"augmentation.{name} must be (low, high), got {value}")
    if aug.copies < 0:
        raise ValueError(f"augmentation.copies must be >= 0, got {aug.copies}")
    if bool(aug.noise) != bool(aug.noise_snr_db):
        raise ValueError(
            "augmentation.noise and augmentation.noise_snr_db go together (a noise "
            f"and its SNR range), got {aug.noise} and {aug.noise_snr_db}"
        )
    if aug.copies and not (aug.white_noise_snr_db or aug.noise or aug.warps):
        raise ValueError(
            "augmentation.copies > 0 but no transform is set (white_noise_snr_db, "
            "noise, pitch_semitones, time_scale)"
        )
    if aug.pitch_semitones and not isinstance(frontend, LINEAR_FREQUENCY):
        raise ValueError(
            "augmentation.pitch_semitones scales a linear frequency axis: use it "
            f"with {[c.__name__ for c in LINEAR_FREQUENCY]}, not "
            f"{type(frontend).__name__}"
        )
    if aug.white_noise_snr_db and isinstance(frontend, PrecomputedFrames):
        raise ValueError(
            "augmentation.white_noise_snr_db adds noise to audio, but "
            f"{type(frontend).__name__}'s features were computed on the host from "
            "the clean audio"
        )
    if aug.time_scale and isinstance(frontend, RawWaveform):
        raise ValueError(
            "augmentation.time_scale resamples spectral frames [T, F, ...], not "
            "raw audio samples (RawWaveform)"
        )
    return aug


def example_keys(key: jax.Array, batch: int, axis_name: str | None) -> jax.Array:
    """A key per example, from its position in the global (all-device) batch."""
    offset = 0 if axis_name is None else jax.lax.axis_index(axis_name) * batch
    return jax.vmap(lambda i: jax.random.fold_in(key, i))(offset + jnp.arange(batch))


def _draw(keys: jax.Array, salt: int, bounds: tuple[float, float]) -> jax.Array:
    """`[B]` uniform draws in `bounds`, one per example key; `salt` names the
    transform, so each transform draws independently."""
    return jax.vmap(
        lambda k: jax.random.uniform(
            jax.random.fold_in(k, salt), (), minval=bounds[0], maxval=bounds[1]
        )
    )(keys)


def add_white_noise(
    audio: jax.Array,
    lengths: jax.Array,
    keys: jax.Array,
    snr_db: tuple[float, float],
) -> jax.Array:
    """`audio` `[B, N]` plus Gaussian noise at a random SNR; padding stays zero."""
    power = (mask_audio(audio, lengths) ** 2).sum(1) / jnp.maximum(lengths, 1)
    snr = _draw(keys, 1, snr_db)
    scale = jnp.sqrt(power / 10.0 ** (snr / 10.0))
    noise = jax.vmap(
        lambda k: jax.random.normal(jax.random.fold_in(k, 2), audio.shape[1:])
    )(keys)
    return mask_audio(audio + scale[:, None] * noise, lengths)


def add_noise(
    audio: jax.Array, lengths: jax.Array, keys: jax.Array, aug: Augmentation
) -> jax.Array:
    """`audio` `[B, N]` plus a noise of `aug.noise` per example at a random SNR."""
    if aug.sources is None:
        raise ValueError("augmentation.noise needs the fold's noise sources")
    noise_id = jax.vmap(
        lambda k: jax.random.randint(jax.random.fold_in(k, 5), (), 0, len(aug.noise))
    )(keys)
    snr = _draw(keys, 6, aug.noise_snr_db)
    noise_keys = jax.vmap(lambda k: jax.random.fold_in(k, 7))(keys)
    return aug.sources.mix(audio, lengths, noise_id, snr, noise_keys)


def resample_axis(
    x: jax.Array, factor: jax.Array, axis: int, fill: jax.Array
) -> jax.Array:
    """One example: `out[i] = x[i / factor]` along `axis` by linear interpolation.

    Positions past the end of `x` take `fill`.
    """
    n = x.shape[axis]
    src = jnp.arange(n) / factor
    low = jnp.clip(jnp.floor(src).astype(jnp.int32), 0, n - 1)
    high = jnp.clip(low + 1, 0, n - 1)
    frac = (src - low).reshape((-1,) + (1,) * (x.ndim - axis - 1))
    lo, hi = jnp.take(x, low, axis=axis), jnp.take(x, high, axis=axis)
    out = lo * (1 - frac) + hi * frac
    inside = (src <= n - 1).reshape(frac.shape)
    return jnp.where(inside, out, fill)


def warp_features(
    features: jax.Array,
    lengths: jax.Array,
    keys: jax.Array,
    aug: Augmentation,
) -> tuple[jax.Array, jax.Array]:
    """Pitch shift (frequency axis 2) and time scaling (axis 1) of `[B, T, F, ...]`."""
    ones = jnp.ones(features.shape[0])
    semitones = _draw(keys, 3, aug.pitch_semitones) if aug.pitch_semitones else 0 * ones
    scale = _draw(keys, 4, aug.time_scale) if aug.time_scale else ones
    pitch = 2.0 ** (semitones / 12.0)
    num_frames = features.shape[1]

    def one(x, length, p, r):
        valid = jnp.arange(num_frames) < length
        floor = jnp.min(
            jnp.where(valid.reshape((-1,) + (1,) * (x.ndim - 1)), x, jnp.inf)
        )
        if aug.pitch_semitones:
            x = resample_axis(x, p, axis=1, fill=floor)
        if aug.time_scale:
            x = resample_axis(x, r, axis=0, fill=0.0)
            length = jnp.clip(jnp.round(length * r), 1, num_frames).astype(length.dtype)
        return x, length

    warped, new_lengths = jax.vmap(one)(features, lengths, pitch, scale)
    return mask_frames(warped, new_lengths), new_lengths


def apply(
    aug: Augmentation,
    stage: str,
    x: jax.Array,
    lengths: jax.Array,
    copy: jax.Array,
    key: jax.Array,
    axis_name: str | None,
) -> tuple[jax.Array, jax.Array]:
    """Transforms the examples with `copy > 0` at `stage` ("audio" or "features")."""
    if not aug.active:
        return x, lengths
    keys = example_keys(key, x.shape[0], axis_name)
    if stage == "audio" and (aug.white_noise_snr_db or aug.noise):
        new_x, new_lengths = x, lengths
        if aug.white_noise_snr_db:
            new_x = add_white_noise(new_x, lengths, keys, aug.white_noise_snr_db)
        if aug.noise:
            new_x = mask_audio(add_noise(new_x, lengths, keys, aug), lengths)
    elif stage == "features" and aug.warps:
        new_x, new_lengths = warp_features(x, lengths, keys, aug)
    else:
        return x, lengths
    chosen = copy > 0
    x = jnp.where(chosen.reshape((-1,) + (1,) * (x.ndim - 1)), new_x, x)
    return x, jnp.where(chosen, new_lengths, lengths)

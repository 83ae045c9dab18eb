"""The noises a run can mix in, by name, and the sets of them.

| name            | kind      | what                                                   |
|-----------------|-----------|--------------------------------------------------------|
| `white`, `pink`, `brown`, `music`, `bursts` | generated | `ser_jax.noise.generated`, from the key |
| `babble`        | generated | 6 utterances of the fold's training speakers, summed   |
| `musan_noise`, `musan_music`, `musan_speech` | musan | excerpts of the MUSAN corpus (`tfds build data_builders/musan`) |

Sets: `generated` (the six generated noises) and `musan` (its three
categories); a spec is a name, a set or several joined by commas.

Babble never holds a test speaker's voice: its bank is drawn from the fold's
training speakers and checked against the test speakers. Banks (babble,
MUSAN) are at most `BANK_CLIPS` clips of at most `BANK_SECONDS`, chosen with
the seed and kept on the device; an excerpt starts at a random sample of a
clip and wraps around its end.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ser_jax.noise import generated, mixing

BABBLE_TALKERS = 6
BANK_CLIPS = 32
BANK_SECONDS = 6.0
MUSAN = {"musan_noise": "noise", "musan_music": "music", "musan_speech": "speech"}
GENERATED = (*generated.GENERATORS, "babble")
NAMES = (*GENERATED, *MUSAN)
SETS = {"generated": ("white", "pink", "brown", "babble", "music", "bursts"),
        "musan": tuple(MUSAN)}  # fmt: skip


def kind(name: str) -> str:
    """ "generated" or "musan": what every result says of a noise."""
    return "musan" if name in MUSAN else "generated"


def test_condition(name: str, snr_db: float) -> dict:
    """What a result records of a noisy test: `{"noise", "kind", "snr_db"}`."""
    return {"noise": name, "kind": kind(name), "snr_db": float(snr_db)}


def describe(name: str) -> str:
    """A noise in a table: `pink (generated)`, `musan_music (MUSAN)`."""
    return f"{name} ({'MUSAN' if kind(name) == 'musan' else 'generated'})"


def parse(spec: str | Sequence[str]) -> tuple[str, ...]:
    """`"generated"`, `"white,babble"`, `["musan", "pink"]` -> noise names."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    names = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        if item in SETS:
            names += SETS[item]
        elif item in NAMES:
            names.append(item)
        else:
            raise ValueError(
                f"unknown noise {item!r}; known: {', '.join(NAMES)} or the sets "
                f"{', '.join(SETS)}"
            )
    if not names:
        raise ValueError(f"no noise named in {spec!r}")
    return tuple(dict.fromkeys(names))


@dataclasses.dataclass(frozen=True, eq=False)
class NoiseBank:
    """Clips to take excerpts of: `audio` `[M, L]` float32, `lengths` `[M]`."""

    audio: jax.Array
    lengths: jax.Array
    sources: tuple[str, ...]  # a speaker or file per clip (what it holds)

    @classmethod
    def from_clips(cls, clips: Sequence[np.ndarray], sources: Sequence[str]):
        width = max(len(c) for c in clips)
        audio = np.zeros((len(clips), width), np.float32)
        for i, c in enumerate(clips):
            audio[i, : len(c)] = c.astype(np.float32) / 32768.0
        return cls(
            jnp.asarray(audio),
            jnp.asarray([len(c) for c in clips], jnp.int32),
            tuple(sources),
        )

    def excerpt(self, key: jax.Array, clip: jax.Array, num_samples: int):
        """`num_samples` of clip `clip` from a random start, wrapping around."""
        length = self.lengths[clip]
        start = jax.random.randint(key, (), 0, length)
        return self.audio[clip, (start + jnp.arange(num_samples)) % length]


def crop(
    audio: np.ndarray, seconds: float, sample_rate: int, rng: np.random.Generator
) -> np.ndarray:
    """At most `seconds` of `audio`, from a random start."""
    limit = round(seconds * sample_rate)
    if len(audio) <= limit:
        return audio
    start = int(rng.integers(0, len(audio) - limit + 1))
    return audio[start : start + limit]


def babble_bank(
    audio: Sequence[np.ndarray],
    speakers: np.ndarray,
    test_speakers: Sequence[str],
    seed: int,
    sample_rate: int,
) -> NoiseBank:
    """Up to `BANK_CLIPS` of the utterances `audio` (of `speakers`), drawn with
    the seed; an error if a test speaker is among them."""
    leaked = sorted(set(speakers.tolist()) & set(test_speakers))
    if leaked:
        raise ValueError(
            f"babble would hold test speakers {leaked}: it must be made of "
            "training speakers only"
        )
    rng = np.random.default_rng([seed, 0xBAB])
    chosen = rng.permutation(len(audio))[:BANK_CLIPS]
    if len(chosen) < BABBLE_TALKERS:
        raise ValueError(
            f"babble needs {BABBLE_TALKERS} utterances of training speakers, "
            f"got {len(chosen)}"
        )
    return NoiseBank.from_clips(
        [crop(audio[i], BANK_SECONDS, sample_rate, rng) for i in chosen],
        [str(speakers[i]) for i in chosen],
    )


def musan_bank(
    name: str, data_dir: str | None, seed: int, sample_rate: int
) -> NoiseBank:
    """Up to `BANK_CLIPS` files of a MUSAN category (a split of the `musan`
    TFDS dataset), chosen with the seed, each cropped to `BANK_SECONDS`."""
    import tensorflow_datasets as tfds

    import data_builders  # noqa: F401  (registers musan)

    builder = tfds.builder("musan", data_dir=data_dir or None)
    if not builder.is_prepared():
        raise FileNotFoundError(
            f"noise {name!r} needs MUSAN, which is not built in "
            f"{builder.data_dir_root}: `tfds build data_builders/musan "
            "--manual_dir=PATH` (see data_builders/musan/README.md), or use the "
            "generated noises (`generated`)."
        )
    split = MUSAN[name]
    total = builder.info.splits[split].num_examples
    rng = np.random.default_rng([seed, 0x5A5])
    clips, files = [], []
    for i in sorted(rng.permutation(total)[:BANK_CLIPS].tolist()):
        (ex,) = tfds.as_numpy(builder.as_dataset(split=f"{split}[{i}:{i + 1}]"))
        clips.append(crop(ex["audio"], BANK_SECONDS, sample_rate, rng))
        files.append(ex["file_name"].decode())
    return NoiseBank.from_clips(clips, files)


@dataclasses.dataclass(frozen=True, eq=False)
class NoiseSources:
    """The noises `names`, drawn on the device: `noise_id` indexes `names`."""

    names: tuple[str, ...]
    sample_rate: int
    banks: dict[str, NoiseBank] = dataclasses.field(default_factory=dict)

    def index(self, name: str) -> int:
        if name not in self.names:
            raise ValueError(f"noise {name!r} is not among {self.names}")
        return self.names.index(name)

    def _one(self, name: str, num_samples: int, key: jax.Array) -> jax.Array:
        """One unit-RMS excerpt of noise `name`."""
        if name in generated.GENERATORS:
            return generated.GENERATORS[name](key, num_samples, self.sample_rate)
        bank = self.banks[name]
        if name == "babble":
            k_pick, k_start = jax.random.split(key)
            clips = jax.random.choice(
                k_pick, bank.lengths.shape[0], (BABBLE_TALKERS,), replace=False
            )
            talkers = jax.vmap(lambda k, c: bank.excerpt(k, c, num_samples))(
                jax.random.split(k_start, BABBLE_TALKERS), clips
            )
            levels = jax.vmap(
                lambda x: mixing.active_power(x, num_samples, self.sample_rate)
            )(talkers)
            talkers = talkers / jnp.sqrt(levels + mixing.EPS)[:, None]
            return generated.unit_rms(talkers.sum(0))
        k_pick, k_start = jax.random.split(key)
        clip = jax.random.randint(k_pick, (), 0, bank.lengths.shape[0])
        return generated.unit_rms(bank.excerpt(k_start, clip, num_samples))

    def draw(self, noise_id: jax.Array, keys: jax.Array, num_samples: int):
        """`[B, num_samples]` excerpts, one per key, of noise `noise_id` (a
        scalar: one noise for all, computed alone; or `[B]`)."""
        branches = [
            functools.partial(self._one, name, num_samples) for name in self.names
        ]
        noise_id = jnp.asarray(noise_id, jnp.int32)
        in_axes = (None if noise_id.ndim == 0 else 0, 0)
        return jax.vmap(lambda i, k: jax.lax.switch(i, branches, k), in_axes)(
            noise_id, keys
        )

    def mix(self, audio, lengths, noise_id, snr_db, keys) -> jax.Array:
        """`audio` `[B, N]` with a fresh excerpt per example (from `keys`) at
        `snr_db` (`ser_jax.noise.mixing`)."""
        noise = self.draw(noise_id, keys, audio.shape[1])
        return mixing.mix_at_snr(audio, lengths, noise, snr_db, self.sample_rate)


def create(
    names: Sequence[str],
    sample_rate: int,
    seed: int,
    babble: tuple[Sequence[np.ndarray], np.ndarray, Sequence[str]] | None = None,
    data_dir: str | None = None,
) -> NoiseSources:
    """The sources of `names`; `babble = (audio, speakers, test_speakers)` of
    the fold's training utterances when `names` has babble."""
    banks = {}
    for name in names:
        if name == "babble":
            if babble is None:
                raise ValueError("babble needs the fold's training utterances")
            banks[name] = babble_bank(*babble, seed=seed, sample_rate=sample_rate)
        elif name in MUSAN:
            banks[name] = musan_bank(name, data_dir, seed, sample_rate)
    return NoiseSources(tuple(names), sample_rate, banks)


EVALUATION_SALT = 0x4E015E


def evaluation_keys(
    seed: int, sources: NoiseSources, noise_id, index: jax.Array
) -> jax.Array:
    """A key per test segment, from the seed, the noise (by its name's place in
    `NAMES`, not in `sources`) and the segment's index in its split: the same
    excerpt at every SNR, for every model and batch size, and whichever other
    noises the run has (a run testing on babble alone hears the excerpts the
    noise study's babble cell does)."""
    name_ids = jnp.asarray([NAMES.index(n) for n in sources.names], jnp.int32)
    base = jax.random.fold_in(
        jax.random.fold_in(jax.random.key(seed), EVALUATION_SALT), name_ids[noise_id]
    )
    return jax.vmap(lambda i: jax.random.fold_in(base, i))(jnp.maximum(index, 0))


def mix_clips(
    sources: NoiseSources,
    noise: str,
    snr_db: float,
    clips: Sequence[np.ndarray],
    seed: int,
    batch_size: int = 16,
) -> tuple[list[np.ndarray], int]:
    """int16 `clips` mixed with `noise` at `snr_db` on the device, for features
    computed on the host (the baselines'): clip i hears the excerpt a noisy
    test's segment i hears (`evaluation_keys`), so a whole-utterance model and
    a baseline tested on the same split hear the same noise. Returns the int16
    mixes and how many samples were clipped to the PCM range."""
    noise_id = sources.index(noise)
    width = max(len(c) for c in clips)
    mix = jax.jit(lambda a, n, k: sources.mix(a, n, noise_id, snr_db, k))
    out, clipped = [], 0
    for start in range(0, len(clips), batch_size):
        batch = clips[start : start + batch_size]
        audio = np.zeros((batch_size, width), np.int16)
        lengths = np.zeros(batch_size, np.int32)
        for i, clip in enumerate(batch):
            audio[i, : len(clip)], lengths[i] = clip, len(clip)
        keys = evaluation_keys(
            seed, sources, noise_id, jnp.arange(start, start + batch_size)
        )
        mixed = np.asarray(
            mix(jnp.asarray(audio, jnp.float32) / 32768.0, jnp.asarray(lengths), keys)
        )
        for i, clip in enumerate(batch):
            pcm = np.round(mixed[i, : len(clip)] * 32768.0)
            clipped += int((np.abs(pcm + 0.5) > 32767.5).sum())
            out.append(np.clip(pcm, -32768, 32767).astype(np.int16))
    return out, clipped


def evaluation_setting(config) -> tuple[str, float] | None:
    """`(noise, snr_db)` of `config.evaluation` (a noisy test), or None (clean).

    `evaluation.noise` names one noise (a set is the noise study's job).
    """
    evaluation = config.get("evaluation") or {}
    spec = evaluation.get("noise") or ""
    if not spec:
        return None
    names = parse(spec)
    if len(names) != 1:
        raise ValueError(
            f"evaluation.noise={spec!r} names {len(names)} noises; a run tests "
            "one (the noise study, `python -m ser_jax.studies --study=noise "
            "--noises=...`, tests a set)"
        )
    return names[0], float(evaluation.get("snr_db", 0.0))

"""Utterance-level feature sets, computed from a Corpus's int16 16 kHz audio and cached.

Sets (`FEATURE_SETS`):
  egemaps   eGeMAPS v02 functionals (88), openSMILE via the `opensmile` package.
  compare   ComParE 2016 functionals (6373), ditto.
  is09      INTERSPEECH 2009 Emotion Challenge set (384): the standard openSMILE
            config `IS09_emotion.conf`, which the `opensmile` package ships in its
            config directory (is09-13/) without naming it as a FeatureSet.
  handbuilt Anand & Verma's 26 hand-built features per 512 ms chunk, summarised
            over the chunks of an utterance by mean, std, min and max (104).
            The chunk rows themselves (for classifiers of chunks, as the
            report's): `load_or_compute_chunks`.

Frame-level sets (`FRAME_SETS`), a `[frames, D]` array per utterance:
  egemaps_lld  eGeMAPS v02 low-level descriptors (25) every 10 ms (openSMILE's
               FeatureLevel.LowLevelDescriptors): Neumann's third CNN input,
               fed to the neural models by `ser_jax.frontends.precomputed`.

Features are cached per corpus and set in
`<data_dir or ~/.cache>/ser_jax_features/<corpus>_<set>.npz`, keyed by
speaker/file name, with a digest of the audio and the extractor version: a
changed corpus or extractor recomputes them.

openSMILE's library and TensorFlow's do not share a process (glibc aborts with
"malloc(): invalid size"), and the corpus comes through TensorFlow Datasets, so
`compute` extracts in a fresh Python process (`python -m
ser_jax.baselines.features`) that never imports TensorFlow.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from absl import logging

# Neither imports TensorFlow (see the module docstring).
from ser_jax.data.corpus import Corpus
from ser_jax.data.segments import fixed_chunks

# Bump a set's version when its extractor changes: the cache is then recomputed.
VERSIONS = {
    "egemaps": "1",
    "compare": "1",
    "is09": "1",
    "handbuilt": "1",
    "egemaps_lld": "1",
}
FRAME_SETS = ("egemaps_lld",)
FEATURE_SETS = tuple(k for k in VERSIONS if k not in FRAME_SETS)
FRAME_RATE = {"egemaps_lld": 100}  # frames per second (10 ms hop)

# ---------------------------------------------------------------------------
# openSMILE sets.


def is09_config_path() -> str:
    import opensmile

    path = Path(opensmile.__file__).parent / "core/config/is09-13/IS09_emotion.conf"
    if not path.exists():
        raise FileNotFoundError(f"IS09_emotion.conf not found at {path}")
    return str(path)


@functools.cache
def _smile(name: str):
    import opensmile

    if name == "is09":
        return opensmile.Smile(feature_set=is09_config_path(), feature_level="func")
    if name == "egemaps_lld":
        return opensmile.Smile(
            feature_set=opensmile.FeatureSet.eGeMAPSv02,
            feature_level=opensmile.FeatureLevel.LowLevelDescriptors,
        )
    feature_set = {
        "egemaps": opensmile.FeatureSet.eGeMAPSv02,
        "compare": opensmile.FeatureSet.ComParE_2016,
    }[name]
    return opensmile.Smile(
        feature_set=feature_set, feature_level=opensmile.FeatureLevel.Functionals
    )


def opensmile_features(name: str, audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """One utterance's functionals (float32 vector), or for a frame-level set
    its `[frames, D]` descriptors."""
    signal = np.asarray(audio, np.float32) / 32768.0
    frame = _smile(name).process_signal(signal, sample_rate)
    out = frame.to_numpy(np.float32)
    return out if name in FRAME_SETS else out[0]


def opensmile_names(name: str) -> list[str]:
    return list(_smile(name).feature_names)


# ---------------------------------------------------------------------------
# Anand & Verma's hand-built features.

CHUNK_SECONDS = 0.512
HOP = 160  # 10 ms frames inside a chunk
N_FFT = 512  # 32 ms
BANDS_HZ = ((0, 500), (500, 1000), (1000, 2000), (2000, 8000))
ROLLOFFS = (0.1, 0.25, 0.5, 0.75, 0.9)
F0_RANGE_HZ = (65.0, 500.0)
VOICING_DB = 30.0  # frames within 30 dB of the utterance's loudest count for pitch
HANDBUILT_STATS = ("mean", "std", "min", "max")
CHUNK_FEATURES = (
    ["rms_db"]
    + [f"mfcc{i}" for i in range(1, 14)]
    + ["zcr"]
    + [f"band{lo}_{hi}_db" for lo, hi in BANDS_HZ]
    + [f"rolloff{int(p * 100)}" for p in ROLLOFFS]
    + ["centroid", "pitch"]
)
assert len(CHUNK_FEATURES) == 26


def handbuilt_chunk_features(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """[num_chunks, 26]: the 26 features of each non-overlapping 512 ms chunk.

    Chunks are `fixed_chunks` (the remainder is dropped; a clip
    shorter than one chunk is one chunk). RMS and zero-crossing rate come from
    the chunk's samples; MFCC (40 mel bands, 13 coefficients) are averaged over
    the chunk's 10 ms frames; band energies, roll-offs and centroid come from the
    chunk's mean power spectrum; pitch is the median librosa.yin F0 over the
    chunk's frames within 30 dB of the utterance's loudest frame, the
    utterance's median where a chunk has none (0 if the utterance has none).
    """
    import librosa

    x = np.asarray(audio, np.float32) / 32768.0
    chunk = round(CHUNK_SECONDS * sample_rate)
    if len(x) < N_FFT:
        x = np.pad(x, (0, N_FFT - len(x)))
    power = (
        np.abs(
            librosa.stft(x, n_fft=N_FFT, hop_length=HOP, win_length=400, center=True)
        )
        ** 2
    )  # [freq, frames]; frame t is centred on sample t * HOP
    freqs = librosa.fft_frequencies(sr=sample_rate, n_fft=N_FFT)
    mel = librosa.feature.melspectrogram(S=power, sr=sample_rate, n_mels=40)
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=13)
    f0 = librosa.yin(
        x,
        fmin=F0_RANGE_HZ[0],
        fmax=F0_RANGE_HZ[1],
        sr=sample_rate,
        frame_length=1024,
        hop_length=HOP,
        center=True,
    )
    frames = min(power.shape[1], len(f0))
    energy_db = 10 * np.log10(power[:, :frames].sum(axis=0) + 1e-10)
    voiced = (energy_db > energy_db.max() - VOICING_DB) & (
        f0[:frames] < F0_RANGE_HZ[1] * 0.99
    )
    utt_pitch = float(np.median(f0[:frames][voiced])) if voiced.any() else 0.0
    centres = np.arange(frames) * HOP

    rows = []
    for start, stop in fixed_chunks(len(x), chunk):
        seg = x[start:stop]
        in_chunk = (centres >= start) & (centres < stop)
        spec = power[:, :frames][:, in_chunk].mean(axis=1)
        total = spec.sum() + 1e-12
        cumulative = np.cumsum(spec) / total
        rolloffs = [float(freqs[np.searchsorted(cumulative, p)]) for p in ROLLOFFS]
        bands = [
            10 * np.log10(spec[(freqs >= lo) & (freqs < hi)].mean() + 1e-12)
            for lo, hi in BANDS_HZ
        ]
        v = voiced & in_chunk
        pitch = float(np.median(f0[:frames][v])) if v.any() else utt_pitch
        rows.append(
            [20 * np.log10(np.sqrt(np.mean(seg**2)) + 1e-6)]
            + mfcc[:, :frames][:, in_chunk].mean(axis=1).tolist()
            + [float(np.mean(np.abs(np.diff(np.signbit(seg).astype(np.int8)))))]
            + bands
            + rolloffs
            + [float((freqs * spec).sum() / total), pitch]
        )
    return np.asarray(rows, np.float32)


def handbuilt_features(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mean, std, min and max over chunks of the 26 chunk features (104)."""
    chunks = handbuilt_chunk_features(audio, sample_rate)
    return np.concatenate(
        [chunks.mean(0), chunks.std(0), chunks.min(0), chunks.max(0)]
    ).astype(np.float32)


def handbuilt_names() -> list[str]:
    return [f"{f}_{s}" for s in HANDBUILT_STATS for f in CHUNK_FEATURES]


# ---------------------------------------------------------------------------
# Any set, and the cache.


def feature_names(name: str) -> list[str]:
    check_name(name)
    return handbuilt_names() if name == "handbuilt" else opensmile_names(name)


def check_name(name: str) -> None:
    if name not in VERSIONS:
        raise ValueError(f"features {name!r} unknown; known: {list(VERSIONS)}")


def extract(
    name: str, audio: Sequence[np.ndarray], sample_rate: int, log_every: int = 200
) -> np.ndarray | list[np.ndarray]:
    """[N, D] float32 features of `audio` (a frame-level set: a list of
    `[frames, D]`, one per utterance); non-finite values become 0."""
    check_name(name)
    if sample_rate != 16000 and name not in FRAME_SETS:
        raise ValueError(f"features expect 16 kHz audio, got {sample_rate} Hz")
    one = (
        handbuilt_features
        if name == "handbuilt"
        else functools.partial(opensmile_features, name)
    )
    rows, start = [], time.time()
    for i, clip in enumerate(audio):
        rows.append(one(clip, sample_rate))
        if log_every and (i + 1) % log_every == 0:
            logging.info(
                "%s features: %d/%d clips, %.0f s",
                name,
                i + 1,
                len(audio),
                time.time() - start,
            )
    out = (np.concatenate if name in FRAME_SETS else np.stack)(rows).astype(np.float32)
    if not np.isfinite(out).all():
        logging.warning(
            "%s: %d non-finite feature values set to 0", name, (~np.isfinite(out)).sum()
        )
        out = np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
    if name in FRAME_SETS:
        return np.split(out, np.cumsum([len(r) for r in rows])[:-1])
    return out


def compute(
    name: str, audio: Sequence[np.ndarray], sample_rate: int
) -> np.ndarray | list[np.ndarray]:
    """`extract` in a fresh process that does not import TensorFlow."""
    check_name(name)
    lengths = np.asarray([len(a) for a in audio], np.int64)
    with tempfile.TemporaryDirectory(prefix="ser_jax_features_") as tmp:
        src, dst = Path(tmp) / "audio.npz", Path(tmp) / "features.npz"
        np.savez(
            src,
            audio=np.concatenate([np.asarray(a, np.int16) for a in audio]),
            lengths=lengths,
            sample_rate=sample_rate,
        )
        subprocess.run(
            [sys.executable, "-m", __name__, name, str(src), str(dst)], check=True
        )
        with np.load(dst) as out:
            features, counts = out["features"], out["counts"]
        if name in FRAME_SETS:
            return np.split(features, np.cumsum(counts)[:-1])
        return features


def _main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Extracts one feature set.")
    parser.add_argument("name", choices=list(VERSIONS))
    parser.add_argument("audio_npz", help="audio (concatenated int16), lengths")
    parser.add_argument("output_npz", help="features (rows), counts (per clip)")
    args = parser.parse_args(argv)
    logging.set_verbosity(logging.INFO)
    with np.load(args.audio_npz) as data:
        bounds = np.concatenate([[0], np.cumsum(data["lengths"])])
        concatenated = data["audio"]
        audio = [
            concatenated[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        sample_rate = int(data["sample_rate"])
    features = extract(args.name, audio, sample_rate)
    rows = features if args.name in FRAME_SETS else list(features[:, None])
    np.savez(
        args.output_npz,
        features=np.concatenate(rows),
        counts=np.asarray([len(r) for r in rows], np.int64),
    )


def utterance_keys(corpus: Corpus) -> np.ndarray:
    return np.asarray(
        [f"{s}/{f}" for s, f in zip(corpus.speakers, corpus.file_names, strict=True)]
    )


def corpus_digest(corpus: Corpus, name: str) -> str:
    """Digest of the extractor version and every (key, audio) pair, in key order."""
    keys = utterance_keys(corpus)
    h = hashlib.sha1(f"{name}:{VERSIONS[name]}:{corpus.sample_rate}".encode())
    for i in np.argsort(keys, kind="stable"):
        h.update(keys[i].encode())
        h.update(np.ascontiguousarray(corpus.audio[i], np.int16).tobytes())
    return h.hexdigest()


def cache_path(corpus_name: str, name: str, data_dir: str = "") -> Path:
    root = (
        Path(data_dir).expanduser()
        if data_dir
        else Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser()
    )
    return root / "ser_jax_features" / f"{corpus_name.replace('/', '_')}_{name}.npz"


def load_or_compute(
    corpus: Corpus, name: str, data_dir: str = ""
) -> tuple[np.ndarray | list[np.ndarray], list[str]]:
    """Features of every utterance of `corpus` (in corpus order) and their names.

    An utterance-level set gives `[N, D]`; a frame-level set (`FRAME_SETS`) a
    list of `[frames, D]`, cached as the frames one after the other and each
    utterance's count.
    """
    check_name(name)
    frames = name in FRAME_SETS
    path = cache_path(corpus.name, name, data_dir)
    keys = utterance_keys(corpus)
    if len(set(keys.tolist())) != len(keys):
        raise ValueError(f"{corpus.name}: speaker/file names are not unique")
    digest = corpus_digest(corpus, name)
    if path.exists():
        with np.load(path, allow_pickle=False) as cached:
            if str(cached["digest"]) == digest:
                row = {k: i for i, k in enumerate(cached["keys"].tolist())}
                order = [row[k] for k in keys.tolist()]
                if frames:
                    rows = np.split(
                        cached["features"], np.cumsum(cached["counts"])[:-1]
                    )
                    features = [rows[i] for i in order]
                else:
                    features = cached["features"][order]
                logging.info("%s features of %s from %s", name, corpus.name, path)
                return features, cached["names"].tolist()
        logging.info("%s changed since %s was written; recomputing", corpus.name, path)
    start = time.time()
    features = compute(name, corpus.audio, corpus.sample_rate)
    names = feature_names(name)
    stored = np.concatenate(features) if frames else features
    if stored.shape[1] != len(names):
        raise ValueError(f"{name}: {stored.shape[1]} features, {len(names)} names")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    counts = {"counts": np.asarray([len(f) for f in features])} if frames else {}
    np.savez(
        tmp,
        features=stored,
        keys=keys,
        names=np.asarray(names),
        digest=digest,
        **counts,
    )
    tmp.replace(path)
    logging.info(
        "%s features of %s (%d x %d) in %.0f s -> %s",
        name,
        corpus.name,
        *stored.shape,
        time.time() - start,
        path,
    )
    return features, names


def load_or_compute_chunks(
    corpus: Corpus, data_dir: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """The 26 hand-built features of every 512 ms chunk of `corpus`:
    `[M, 26]` rows and, per row, the index of its utterance (corpus order).

    Cached beside the utterance sets as `<corpus>_handbuilt_chunks.npz`, keyed
    by the same digest as "handbuilt" (audio + extractor version). Computed in
    this process (librosa only: no openSMILE, so TensorFlow may be loaded).
    """
    path = cache_path(corpus.name, "handbuilt_chunks", data_dir)
    keys = utterance_keys(corpus)
    if len(set(keys.tolist())) != len(keys):
        raise ValueError(f"{corpus.name}: speaker/file names are not unique")
    digest = corpus_digest(corpus, "handbuilt")
    if path.exists():
        with np.load(path, allow_pickle=False) as cached:
            if str(cached["digest"]) == digest:
                bounds = np.concatenate([[0], np.cumsum(cached["counts"])])
                start = dict(zip(cached["keys"].tolist(), bounds[:-1], strict=True))
                count = dict(
                    zip(cached["keys"].tolist(), cached["counts"].tolist(), strict=True)
                )
                rows = np.concatenate(
                    [np.arange(start[k], start[k] + count[k]) for k in keys.tolist()]
                )
                utterance = np.repeat(
                    np.arange(len(keys)), [count[k] for k in keys.tolist()]
                )
                logging.info("handbuilt chunks of %s from %s", corpus.name, path)
                return cached["features"][rows], utterance
        logging.info("%s changed since %s was written; recomputing", corpus.name, path)
    if corpus.sample_rate != 16000:
        raise ValueError(f"features expect 16 kHz audio, got {corpus.sample_rate} Hz")
    started = time.time()
    per_clip = [handbuilt_chunk_features(a, corpus.sample_rate) for a in corpus.audio]
    counts = np.asarray([len(c) for c in per_clip], np.int64)
    rows = np.concatenate(per_clip).astype(np.float32)
    if not np.isfinite(rows).all():
        logging.warning(
            "handbuilt chunks: %d non-finite values set to 0",
            (~np.isfinite(rows)).sum(),
        )
        rows = np.nan_to_num(rows, nan=0.0, posinf=0.0, neginf=0.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, features=rows, counts=counts, keys=keys, digest=digest)
    tmp.replace(path)
    logging.info(
        "handbuilt chunks of %s (%d x 26) in %.0f s -> %s",
        corpus.name,
        len(rows),
        time.time() - started,
        path,
    )
    return rows, np.repeat(np.arange(len(keys)), counts)


if __name__ == "__main__":
    _main()

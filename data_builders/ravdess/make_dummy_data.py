"""Writes the tiny fake RAVDESS tree in dummy_data/ used by the builder test.

Run from anywhere: ``python data_builders/ravdess/make_dummy_data.py``.
The clips are 0.2 s harmonic tones (not speech), a few KB each; one is a
song file (vocal channel 02), which the builder must skip, and one is
stereo, which it must down-mix.
"""

import pathlib

import numpy as np
import soundfile as sf

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"

# (relative path, sample rate, channels)
FILES = [
    ("Actor_01/03-01-01-01-01-01-01.wav", 8000, 1),  # neutral, normal, kids, rep 1
    ("Actor_01/03-01-05-02-02-02-01.wav", 8000, 2),  # angry, strong, dogs, rep 2
    ("Actor_01/03-02-03-01-01-01-01.wav", 8000, 1),  # song: skipped
    ("Actor_02/03-01-03-01-01-01-02.wav", 16000, 1),  # happy
    ("Actor_02/03-01-04-02-01-02-02.wav", 8000, 1),  # sad, strong
    ("Actor_02/03-01-08-01-02-01-02.wav", 11025, 1),  # surprised
]


def tone(seed: int, sr: int, channels: int, seconds: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    f0 = rng.uniform(100, 250)
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    x = 0.3 * x / np.max(np.abs(x)) + 0.01 * rng.standard_normal(len(t))
    x = np.stack([x] * channels, axis=1) if channels > 1 else x
    return (x * 32767).astype(np.int16)


def main():
    for seed, (rel, sr, channels) in enumerate(FILES):
        path = OUT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, tone(seed, sr, channels), sr, subtype="PCM_16")
        print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

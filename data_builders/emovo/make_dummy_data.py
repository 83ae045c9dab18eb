"""Writes the tiny fake EMOVO tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/emovo/make_dummy_data.py``.

Layout as EMOVO.zip extracts: ``EMOVO/<speaker>/<emo>-<speaker>-<sentence>.wav``
with the speaker folders f1 f2 f3 m1 m2 m3 (five of them here), every
emotion code and every sentence type (b, l, n, d) once at least. The clips
are 0.2 s harmonic tones (not speech), 16-bit mono at 48 kHz like the corpus.
"""

import pathlib

import numpy as np
import soundfile as sf

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SAMPLE_RATE = 48000

FILES = [
    "f1/dis-f1-b1.wav",
    "f1/gio-f1-n5.wav",
    "f2/neu-f2-d2.wav",
    "m1/pau-m1-l4.wav",
    "m2/sor-m2-l1.wav",
    "m3/rab-m3-b3.wav",
    "m3/tri-m3-n1.wav",
]


def tone(seed: int, sr: int, seconds: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    f0 = rng.uniform(100, 250)
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    x = 0.3 * x / np.max(np.abs(x)) + 0.01 * rng.standard_normal(len(t))
    return (x * 32767).astype(np.int16)


def main():
    for seed, rel in enumerate(FILES):
        path = OUT / "EMOVO" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, tone(seed, SAMPLE_RATE), SAMPLE_RATE, subtype="PCM_16")
        print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

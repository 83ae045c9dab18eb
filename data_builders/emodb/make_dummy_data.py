"""Writes the tiny fake EMO-DB tree in dummy_data/ used by the builder test.

Run from anywhere: ``python data_builders/emodb/make_dummy_data.py``.
Layout as in the official download.zip (wav/ plus label folders); the clips
are 0.2 s harmonic tones (not speech) at 16 kHz and 22.05 kHz, a few KB each.
"""

import pathlib

import numpy as np
import soundfile as sf

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"

# (file name, sample rate)
FILES = [
    ("03a01Fa.wav", 16000),  # male speaker 03, happiness
    ("03a02Wb.wav", 22050),  # male speaker 03, anger
    ("08b01Nc.wav", 16000),  # female speaker 08, neutral
    ("16b10Ta.wav", 22050),  # female speaker 16, sadness
]


def tone(seed: int, sr: int, seconds: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    f0 = rng.uniform(100, 250)
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    x = 0.3 * x / np.max(np.abs(x)) + 0.01 * rng.standard_normal(len(t))
    return (x * 32767).astype(np.int16)


def main():
    (OUT / "wav").mkdir(parents=True, exist_ok=True)
    (OUT / "lablaut").mkdir(parents=True, exist_ok=True)
    for seed, (name, sr) in enumerate(FILES):
        path = OUT / "wav" / name
        sf.write(path, tone(seed, sr), sr, subtype="PCM_16")
        print(path, path.stat().st_size, "bytes")
        # The real label files are phonetic transcriptions; the builder
        # ignores them, a placeholder keeps the layout.
        label = OUT / "lablaut" / name.replace(".wav", "xx.lablaut")
        label.write_text("dummy label file, not used by the builder\n")


if __name__ == "__main__":
    main()

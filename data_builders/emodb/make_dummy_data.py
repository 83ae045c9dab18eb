"""Writes the tiny fake EMO-DB tree in dummy_data/ used by the builder test.

Run from anywhere: ``python data_builders/emodb/make_dummy_data.py``.
Layout as in the official download.zip (wav/ plus label folders); the clips
are 0.2 s harmonic tones (not speech) at 16 kHz and 22.05 kHz, a few KB each.
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"

# (file name, sample rate)
FILES = [
    ("03a01Fa.wav", 16000),  # male speaker 03, happiness
    ("03a02Wb.wav", 22050),  # male speaker 03, anger
    ("08b01Nc.wav", 16000),  # female speaker 08, neutral
    ("16b10Ta.wav", 22050),  # female speaker 16, sadness
]


def main():
    (OUT / "wav").mkdir(parents=True, exist_ok=True)
    (OUT / "lablaut").mkdir(parents=True, exist_ok=True)
    for seed, (name, sr) in enumerate(FILES):
        path = testing.write_tone(OUT / "wav" / name, 0.2, sr, seed=seed)
        print(path, path.stat().st_size, "bytes")
        # The real label files are phonetic transcriptions; the builder
        # ignores them, a placeholder keeps the layout.
        label = OUT / "lablaut" / name.replace(".wav", "xx.lablaut")
        label.write_text("dummy label file, not used by the builder\n")


if __name__ == "__main__":
    main()

"""Writes the tiny fake RAVDESS tree in dummy_data/ used by the builder test.

Run from anywhere: ``python data_builders/ravdess/make_dummy_data.py``.
The clips are 0.2 s harmonic tones (not speech), a few KB each; one is a
song file (vocal channel 02), which the builder must skip, and one is
stereo, which it must down-mix.
"""

import pathlib

from data_builders import testing

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


def main():
    for seed, (rel, sr, channels) in enumerate(FILES):
        path = testing.write_tone(OUT / rel, 0.2, sr, channels, seed)
        print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

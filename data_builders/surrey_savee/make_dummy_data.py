"""Writes the tiny fake SAVEE tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/surrey_savee/make_dummy_data.py``.
The layout is the official AudioData.zip's: AudioData/<speaker>/<prefix>NN.wav
(44.1 kHz mono WAV) and AudioData/Info.txt. The clips are 0.2 s harmonic
tones (not speech). The tests derive the flattened re-packaging (DC_a01.wav)
from it.
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SR = 44100

FILES = [
    "DC/a01.wav",
    "DC/n30.wav",  # Neutral has 30 sentences per speaker.
    "DC/su15.wav",
    "JE/sa01.wav",
    "JE/d02.wav",
    "KL/h03.wav",
]

INFO = """\
Placeholder for the release's AudioData/Info.txt (it names the four male
speakers, the 44.1 kHz sample rate and the emotion prefixes a d f h n sa su);
the builder does not read it.
"""


def main():
    for seed, rel in enumerate(FILES):
        path = OUT / "AudioData" / rel
        testing.write_tone(path, 0.2, SR, seed=seed, f0_range=(90, 160))
        print(path, path.stat().st_size, "bytes")
    (OUT / "AudioData" / "Info.txt").write_text(INFO)


if __name__ == "__main__":
    main()

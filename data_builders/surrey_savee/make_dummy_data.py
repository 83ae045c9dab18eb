"""Writes the tiny fake SAVEE tree in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/surrey_savee/make_dummy_data.py``.
The layout is the official AudioData.zip's: AudioData/<speaker>/<prefix>NN.wav
(44.1 kHz mono WAV) and AudioData/Info.txt. The clips are 0.2 s harmonic
tones (not speech). The tests derive the flattened re-packaging (DC_a01.wav)
from it.
"""

import pathlib

import numpy as np
import soundfile as sf

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


def tone(seed: int, seconds: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(SR * seconds)) / SR
    f0 = rng.uniform(90, 160)
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    x = 0.3 * x / np.max(np.abs(x)) + 0.01 * rng.standard_normal(len(t))
    return (x * 32767).astype(np.int16)


def main():
    for seed, rel in enumerate(FILES):
        path = OUT / "AudioData" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, tone(seed), SR, subtype="PCM_16")
        print(path, path.stat().st_size, "bytes")
    (OUT / "AudioData" / "Info.txt").write_text(INFO)


if __name__ == "__main__":
    main()

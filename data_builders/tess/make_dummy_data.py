"""Writes the tiny fake TESS set in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/tess/make_dummy_data.py``.
The layout is the Dataverse download's: flat {OAF,YAF}_<word>_<emotion>.wav
files, 24414 Hz mono, one file at 96 kHz and the misnamed
OA_bite_neutral.wav, as in the release. The clips are
0.2 s harmonic tones (not speech). The tests derive the per-emotion-folder
re-packagings from it.
"""

import pathlib

import numpy as np
import soundfile as sf

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"

# (file name, sample rate)
FILES = [
    ("OAF_back_angry.wav", 24414),
    ("OAF_bite_ps.wav", 24414),  # ps = pleasant surprise.
    ("OAF_chair_neutral.wav", 24414),
    ("OA_bite_neutral.wav", 24414),  # Misnamed in the release: OAF.
    ("YAF_dog_fear.wav", 96000),  # The release has one 96 kHz file.
    ("YAF_germ_sad.wav", 24414),
]


def tone(seed: int, sr: int, seconds: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    f0 = rng.uniform(180, 260)
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    x = 0.3 * x / np.max(np.abs(x)) + 0.01 * rng.standard_normal(len(t))
    return (x * 32767).astype(np.int16)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, (name, sr) in enumerate(FILES):
        sf.write(OUT / name, tone(seed, sr), sr, subtype="PCM_16")
        print(OUT / name, (OUT / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()

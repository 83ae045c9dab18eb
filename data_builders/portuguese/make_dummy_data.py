"""Writes the tiny fake Castro & Lima (2010) set in dummy_data/ for the tests.

Run from anywhere: ``python data_builders/portuguese/make_dummy_data.py``.
The layout is the two supplementary archives' content, each in its own
folder: the stimulus .wav files (<item><s|p><A|B>_<emotion><n>.wav) and the
Appendix B file, whose name starts with a space as in the archives. The
appendices are tab-separated, with title lines above a header row; only the
columns the builder reads are reproduced ("Stimulus " with its trailing
space, "Content", "Intensity (1-7)"; the first column is a row number), and
the values are illustrative. The clips are 0.2 s harmonic tones (not speech)
at 44.1 kHz (the corpus's own rate is not stated in the sources at hand).
"""

import pathlib

import numpy as np
import soundfile as sf

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
SR = 44100

# folder -> (appendix name, [(stimulus, content code, intensity)])
SETS = {
    "Castro-BRM-2010 Sents": (
        " Castro_2010_AppxB_Sents.txt",
        [
            ("12sA_angry3", "oQuadro", "5,6"),
            ("3sB_neutral1", "aTerra", "4.9"),
            ("7sA_surprise2", "eleChega", "5.2"),
        ],
    ),
    "Castro-BRM-2010 Pseudosents": (
        " Castro_2010_AppxB_Pseudosents.txt",
        [
            ("12pA_fear1", "oJuadre", "4.4"),
            ("5pB_happy2", "oLao", "5.8"),
        ],
    ),
}
# A stimulus with no row in its appendix.
UNLISTED = ("Castro-BRM-2010 Pseudosents", "9pB_sad1")


def tone(seed: int, seconds: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(SR * seconds)) / SR
    f0 = rng.uniform(180, 260)
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    x = 0.3 * x / np.max(np.abs(x)) + 0.01 * rng.standard_normal(len(t))
    return (x * 32767).astype(np.int16)


def main():
    seed = 0
    for folder, (appendix, rows) in SETS.items():
        (OUT / folder).mkdir(parents=True, exist_ok=True)
        lines = [
            "Appendix B (placeholder title line)",
            "",
            "Stimuli of the validated set (placeholder)",
            "",
            "",
            "\tStimulus \tContent\tIntensity (1-7)",
        ]
        for n, (stimulus, code, intensity) in enumerate(rows, start=1):
            sf.write(OUT / folder / f"{stimulus}.wav", tone(seed), SR, subtype="PCM_16")
            seed += 1
            lines.append(f"{n}\t{stimulus}\t{code}\t{intensity}")
        (OUT / folder / appendix).write_text("\r\n".join(lines) + "\r\n")
    folder, stimulus = UNLISTED
    sf.write(OUT / folder / f"{stimulus}.wav", tone(seed), SR, subtype="PCM_16")
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(repr(str(path)), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

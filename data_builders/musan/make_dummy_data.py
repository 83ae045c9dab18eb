"""Writes the tiny fake MUSAN in dummy_data/ used by the builder tests.

Run from anywhere: ``python data_builders/musan/make_dummy_data.py``.
The layout is the release's: ``musan/{music,noise,speech}/<source>/`` with
``<category>-<source>-NNNN.wav`` files and an ``ANNOTATIONS`` file per
source folder (music lines: name, genre, vocals Y/N, artist, as Kaldi's
``make_musan.py`` reads them; the other categories' lines: name and free
text). The clips are 0.2 s harmonic tones at 16 kHz (not real recordings);
one is 22.05 kHz stereo, to exercise resampling.
"""

import pathlib

from data_builders import testing

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data" / "musan"

# (path below musan/, sample rate, channels)
FILES = [
    ("music/fma/music-fma-0000.wav", 16000, 1),
    ("music/fma/music-fma-0001.wav", 16000, 1),
    ("music/jamendo/music-jamendo-0000.wav", 22050, 2),
    ("noise/free-sound/noise-free-sound-0000.wav", 16000, 1),
    ("noise/free-sound/noise-free-sound-0001.wav", 16000, 1),
    ("noise/sound-bible/noise-sound-bible-0000.wav", 16000, 1),
    ("speech/librivox/speech-librivox-0000.wav", 16000, 1),
]
ANNOTATIONS = {
    "music/fma": "music-fma-0000 rock N Some_Band\nmusic-fma-0001 pop Y Singer\n",
    "music/jamendo": "music-jamendo-0000 classical N Orchestra\n",
    "noise/free-sound": "noise-free-sound-0000 rain on a window\n",
}


def main():
    for seed, (rel, sr, channels) in enumerate(FILES):
        testing.write_tone(OUT / rel, 0.2, sr, channels=channels, seed=seed)
    for folder, text in ANNOTATIONS.items():
        (OUT / folder / "ANNOTATIONS").write_text(text)
    (OUT / "README").write_text("A fake MUSAN for the builder tests.\n")
    print(sorted(str(p.relative_to(OUT)) for p in OUT.rglob("*") if p.is_file()))


if __name__ == "__main__":
    main()

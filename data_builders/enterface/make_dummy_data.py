"""Writes the tiny fake eNTERFACE'05 tree in dummy_data/ used by the builder test.

Run from anywhere: ``python data_builders/enterface/make_dummy_data.py``
(needs PyAV, ``import av``).

Layout as in the official project2_database.zip: a top folder holding
``subject N/<emotion>/sentence K/sN_xx_K.avi``. Each clip is an AVI video
(a 16x16 MJPEG stream, video first as in the real DV clips) whose sound
track is 16-bit PCM, 48 kHz, stereo, as in the release. The clips are 0.15 s
harmonic tones (not speech), 0.12 s rather than 0.2 s: 48 kHz stereo PCM
is 192 KB per second, the AVI muxer adds about 10 KB per file, and the whole
tree must stay well under 300 KB.

It reproduces the release's irregular names, which the builder must label
from the folders: subject 3's ``s_3_*`` names, subject 11's folder holding
``s12_*`` files (the same names as in subject 12's folder), subject 16's
``s16_su_3avi.avi``, and subject 6's unsegmented session files (no sentence
folders), which the builder leaves out. Real subject 6 file names are not
documented; the builder does not use them.
"""

import pathlib

import av
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "dummy_data"
TOP = "enterface database"
SAMPLE_RATE = 48000

FILES = [
    "subject 1/anger/sentence 1/s1_an_1.avi",
    "subject 3/happiness/sentence 2/s_3_ha_2.avi",  # s_3_ for s3_
    "subject 11/fear/sentence 4/s12_fe_4.avi",  # subject 11 holds s12_* names
    "subject 12/fear/sentence 4/s12_fe_4.avi",  # the real subject 12
    "subject 16/surprise/sentence 3/s16_su_3avi.avi",  # "avi" before ".avi"
    "subject 6/disgust/s6_di.avi",  # unsegmented session: skipped
]


def tone(seed: int, seconds: float = 0.12) -> np.ndarray:
    """[samples, 2] int16: a harmonic tone, slightly different per channel."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    f0 = rng.uniform(100, 250)
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    x = 0.3 * x / np.max(np.abs(x))
    stereo = np.stack([x, 0.8 * x], axis=1) + 0.01 * rng.standard_normal((len(t), 2))
    return (stereo * 32767).astype(np.int16)


def write_avi(path: pathlib.Path, pcm: np.ndarray) -> None:
    """An AVI with a tiny video stream and a 16-bit PCM stereo sound track."""
    with av.open(str(path), "w", format="avi") as container:
        video = container.add_stream("mjpeg", rate=25)
        video.width, video.height, video.pix_fmt = 16, 16, "yuvj420p"
        audio = container.add_stream("pcm_s16le", rate=SAMPLE_RATE, layout="stereo")
        for i in range(2):
            image = np.full((16, 16, 3), 40 + 80 * i, np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(image, "rgb24")):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        frame = av.AudioFrame.from_ndarray(
            pcm.reshape(1, -1), format="s16", layout="stereo"
        )
        frame.sample_rate = SAMPLE_RATE
        for packet in audio.encode(frame):
            container.mux(packet)
        for packet in audio.encode(None):
            container.mux(packet)


def main():
    for seed, rel in enumerate(FILES):
        path = OUT / TOP / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_avi(path, tone(seed))
        print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

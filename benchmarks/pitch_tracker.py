"""The JAX pitch tracker against Praat on RAVDESS, and the harmonic filter's cost.

    python benchmarks/pitch_tracker.py --num_utterances=96

Reads `--num_utterances` RAVDESS WAVs (16 kHz) from `$SER_JAX_CORPORA/ravdess`
(default `../shared/corpora/ravdess`), spread evenly over the 1440 files (so
over actors, emotions and intensities). F0 on Satt's frames (40 ms / 10 ms):
`frontends.pitch.PitchTracker` (jitted, the clips zero-padded to one batch)
against Praat's `To Pitch (ac)` through parselmouth with the same settings
(`frontends.reference.praat_f0`, Praat's frame nearest each frame's centre).
Prints the voicing agreement, and on the frames both call voiced the median
relative F0 error, the gross-error rate (> 20 %) and the share within 5 %;
then the time per second of audio: Praat clip by clip on one core, the tracker
on the batch after a warm-up call (XLA uses every core), and the Satt and
log-mel front-ends with and without `harmonic_filter`. Writes the figures into
the "## Pitch tracker and harmonic filter" section of BENCHMARKS.md
(`--no_write` to skip).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import benchmarks_md  # noqa: E402

from ser_jax import frontends  # noqa: E402
from ser_jax.frontends import reference  # noqa: E402
from ser_jax.frontends.pitch import PitchTracker  # noqa: E402

SR = 16000
FRAME, HOP = 640, 160  # Satt's 40 ms / 10 ms
SECTION = "## Pitch tracker and harmonic filter"


def ravdess_files(num: int) -> list[Path]:
    corpora = Path(
        os.environ.get("SER_JAX_CORPORA", ROOT.parent / "shared" / "corpora")
    )
    files = sorted((corpora / "ravdess").glob("Actor_*/*.wav"))
    if not files:
        sys.exit(f"No RAVDESS WAVs under {corpora / 'ravdess'}; set SER_JAX_CORPORA.")
    picks = np.linspace(0, len(files) - 1, min(num, len(files))).round().astype(int)
    return [files[i] for i in picks]


def read(path: Path) -> np.ndarray:
    y, rate = sf.read(path, dtype="float32")
    if rate != SR or y.ndim != 1:
        sys.exit(f"{path}: expected 16 kHz mono, got {rate} Hz, shape {y.shape}.")
    return y


def timed(fn, repeats: int = 3) -> float:
    """Seconds of the fastest of `repeats` calls (after one warm-up call)."""
    jax.block_until_ready(fn())
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num_utterances", type=int, default=96)
    parser.add_argument("--no_write", action="store_true")
    args = parser.parse_args()

    clips = [read(path) for path in ravdess_files(args.num_utterances)]
    audio_seconds = sum(len(y) for y in clips) / SR
    longest = max(len(y) for y in clips)
    num_frames = -(-longest // HOP)
    batch = np.zeros((len(clips), longest), np.float32)
    for i, y in enumerate(clips):
        batch[i, : len(y)] = y
    batch = jnp.asarray(batch)
    lengths = jnp.asarray([len(y) for y in clips])

    tracker = PitchTracker()
    track = jax.jit(lambda a: tracker(a, FRAME, HOP, num_frames))
    f0, voiced = (np.asarray(x) for x in track(batch))
    jax_seconds = timed(lambda: track(batch))

    start = time.perf_counter()
    praat = [reference.praat_f0(tracker, y, FRAME, HOP, num_frames) for y in clips]
    praat_seconds = time.perf_counter() - start
    for i, y in enumerate(clips):  # only frames inside the clip
        praat[i][np.arange(num_frames) * HOP + FRAME > len(y)] = np.nan
    agreement = reference.PitchAgreement.of(
        f0.ravel(), voiced.ravel(), np.concatenate(praat)
    )

    costs = {}
    for label, fe in [
        ("satt_spectrogram 40 ms, 10 Hz", frontends.SattSpectrogram),
        ("log_mel 40, 25/10 ms", frontends.LogMel),
    ]:
        for on in (False, True):
            if fe is frontends.SattSpectrogram:
                frontend = fe(num_frames=num_frames, harmonic_filter=on)
            else:
                frontend = fe(max_samples=longest, harmonic_filter=on)
            run = jax.jit(frontend)
            costs[label, on] = timed(lambda run=run: run(batch, lengths))

    ms = 1000 / audio_seconds
    lines = [
        f"{len(clips)} RAVDESS utterances ({audio_seconds:.0f} s of audio, spread "
        "over the 24 actors), F0 on Satt's 40 ms / 10 ms frames; Praat = "
        "parselmouth `to_pitch_ac` with the same settings (floor 75 Hz, ceiling "
        "600 Hz, Praat's defaults), its frame nearest each frame's centre.",
        "",
        "| JAX tracker vs Praat | value |",
        "|---|---|",
        f"| frames (Praat's, inside the clips) | {agreement.frames} |",
        f"| voicing agreement | {100 * agreement.voicing_agreement:.1f} % |",
        f"| frames both call voiced | {agreement.both_voiced} |",
        f"| median relative F0 error (both voiced) | "
        f"{100 * agreement.median_error:.2f} % |",
        f"| gross-error rate, > 20 % (both voiced) | "
        f"{100 * agreement.gross_error_rate:.2f} % |",
        f"| within 5 % of Praat (both voiced) | "
        f"{100 * agreement.within_5_percent:.1f} % |",
        "",
        "| time per second of audio | ms |",
        "|---|---|",
        f"| Praat (parselmouth), clip by clip, one core | {praat_seconds * ms:.2f} |",
        f"| JAX tracker, jitted, one batch of {len(clips)} | {jax_seconds * ms:.2f} |",
    ]
    for (label, on), seconds in costs.items():
        lines.append(
            f"| {label}, harmonic_filter={on} (whole front-end) | {seconds * ms:.2f} |"
        )
    lines += [
        "",
        f"Machine: {benchmarks_md.machine()}. Command: `python "
        f"benchmarks/pitch_tracker.py --num_utterances={args.num_utterances}`. JAX "
        "times are the best of 3 calls after a warm-up; the machine is shared (load "
        f"average {os.getloadavg()[0]:.1f} at the end of the run), so times vary "
        "from run to run.",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        benchmarks_md.update_section(ROOT / "BENCHMARKS.md", SECTION, body)


if __name__ == "__main__":
    main()

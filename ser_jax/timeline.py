"""Timelines: a recording as consecutive windows, each with its emotions or "no speech".

`ser_jax.classify --timeline` and `--stream` follow speech as it goes instead
of averaging a whole recording into one answer. A recording is cut into
windows of the model's own segment width (`config.max_segment_seconds`: Satt
et al.'s 3 s, Anand & Verma's 512 ms chunks, Neumann's 7.5 s) every `hop`
(by default the width: windows end to end; a smaller hop overlaps them). The
last, shorter window is kept when it is at least a quarter of the width (a
recording shorter than that is one window). A window without speech
(`speech_activity.SpeechDetector`) is "no speech" and costs no model call.

`Windower` cuts the samples as they arrive, so a file (`timeline`) and the same
audio fed as a stream in any chunks (`stream`) give the same windows; each
window is scored on its own (`Scorer.segment_posteriors`), so they give the
same posteriors too.

Smoothing (`Smoother`, off unless `smoothing > 1`): a window's posteriors are
the mean of its own and those of the `smoothing - 1` speech windows before it
within the same stretch of speech; a "no speech" window starts a new stretch,
so turns separated by silence are not mixed. It looks only backwards, so a
stream can print a smoothed result as soon as a window is complete, and a
file's timeline equals its stream's.
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from ser_jax import results
from ser_jax.data.speech_activity import SpeechDetector

NO_SPEECH = "no speech"

# Scores windows (int16 audio, each at most the model's width): [S, K].
ScoreFn = Callable[[Sequence[np.ndarray]], np.ndarray]


@dataclasses.dataclass
class SegmentResult:
    """One window of a timeline or stream."""

    start_s: float
    end_s: float
    posteriors: np.ndarray | None  # [K], smoothed if asked; None: no speech
    # time.perf_counter() when the window's last sample arrived (streams), and
    # the seconds from then until its result was ready (or printed).
    ready_at: float | None = None
    latency_s: float | None = None

    @property
    def speech(self) -> bool:
        return self.posteriors is not None

    def top(self, k: int) -> list[int]:
        """The k most likely classes, best first (none without speech)."""
        if self.posteriors is None:
            return []
        return np.argsort(-self.posteriors, kind="stable")[:k].tolist()


@dataclasses.dataclass(frozen=True)
class Windows:
    """How a recording is cut: `width` and `hop` in samples at `sample_rate`."""

    width: int
    hop: int
    sample_rate: int = 16000

    def __post_init__(self):
        if self.width <= 0 or self.hop <= 0:
            raise ValueError(
                f"window width and hop must be positive (got {self.width} and "
                f"{self.hop} samples)"
            )

    @classmethod
    def of_seconds(
        cls, width_s: float, hop_s: float | None = None, sample_rate: int = 16000
    ) -> Windows:
        """Windows of `width_s` seconds every `hop_s` (None or 0: the width)."""
        width = round(width_s * sample_rate)
        hop = round(hop_s * sample_rate) if hop_s else width
        return cls(width, hop, sample_rate)

    @property
    def min_tail(self) -> int:
        """The shortest last window kept: a quarter of the width."""
        return max(1, self.width // 4)

    def describe(self) -> dict:
        return {
            "segment_seconds": self.width / self.sample_rate,
            "hop_seconds": self.hop / self.sample_rate,
        }


class Windower:
    """Cuts a growing waveform into `Windows`; `push` returns the windows its
    samples complete, `finish` the last, shorter one (if long enough)."""

    def __init__(self, windows: Windows):
        self.windows = windows
        self.buffer = np.zeros(0, np.int16)
        self.offset = 0  # sample index of buffer[0]
        self.next_start = 0
        self.covered = 0  # end of the last window emitted
        self.total = 0

    def push(self, samples: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """(start sample, int16 audio) of every window now complete."""
        w = self.windows
        self.buffer = np.concatenate([self.buffer, samples])
        self.total += len(samples)
        out = []
        while self.next_start + w.width <= self.total:
            begin = self.next_start - self.offset
            out.append((self.next_start, self.buffer[begin : begin + w.width].copy()))
            self.covered = self.next_start + w.width
            self.next_start += w.hop
        drop = min(self.next_start, self.total) - self.offset
        if drop > 0:
            self.buffer = self.buffer[drop:]
            self.offset += drop
        return out

    def finish(self) -> list[tuple[int, np.ndarray]]:
        """The last window, shorter than the width: kept if it holds samples
        no window covered and is at least `min_tail` long (or is the only one)."""
        tail = self.total - self.next_start
        if self.total <= self.covered or tail <= 0:
            return []
        if tail < self.windows.min_tail and self.covered > 0:
            return []
        begin = self.next_start - self.offset
        self.covered = self.total
        return [(self.next_start, self.buffer[begin:].copy())]


class Smoother:
    """The causal moving average of the module docstring."""

    def __init__(self, smoothing: int = 1):
        if smoothing < 1:
            raise ValueError(f"smoothing must be at least 1, got {smoothing}")
        self.recent: collections.deque = collections.deque(maxlen=smoothing)

    def __call__(self, posteriors: np.ndarray | None) -> np.ndarray | None:
        if posteriors is None:
            self.recent.clear()
            return None
        self.recent.append(posteriors)
        return np.mean(self.recent, axis=0)


def _results(
    windows: Windows,
    cut: list[tuple[int, np.ndarray]],
    speech: list[bool],
    probs: np.ndarray,
    smoother: Smoother,
    ready_at: float | None = None,
) -> list[SegmentResult]:
    out, rows = [], iter(probs)
    for (start, audio), has_speech in zip(cut, speech, strict=True):
        posteriors = smoother(next(rows) if has_speech else None)
        out.append(
            SegmentResult(
                start / windows.sample_rate,
                (start + len(audio)) / windows.sample_rate,
                posteriors,
                ready_at=ready_at,
            )
        )
    return out


def _score(
    cut: list[tuple[int, np.ndarray]],
    detector: SpeechDetector | None,
    score: ScoreFn,
) -> tuple[list[bool], np.ndarray]:
    speech = [detector is None or detector.has_speech(a) for _, a in cut]
    voiced = [a for (_, a), s in zip(cut, speech, strict=True) if s]
    return speech, score(voiced) if voiced else np.zeros((0, 0))


def timeline(
    audio: np.ndarray,
    windows: Windows,
    score: ScoreFn,
    detector: SpeechDetector | None = None,
    smoothing: int = 1,
) -> list[SegmentResult]:
    """The timeline of a whole int16 recording (its speech windows scored together)."""
    windower = Windower(windows)
    cut = windower.push(np.asarray(audio, np.int16)) + windower.finish()
    speech, probs = _score(cut, detector, score)
    return _results(windows, cut, speech, probs, Smoother(smoothing))


def stream(
    chunks: Iterable[np.ndarray],
    windows: Windows,
    score: ScoreFn,
    detector: SpeechDetector | None = None,
    smoothing: int = 1,
) -> Iterator[SegmentResult]:
    """Results of int16 chunks as they arrive: each window as soon as its last
    sample has come, then the last, shorter one at the end of the input.

    `ready_at` is when the chunk that completed a window arrived (the
    iterator returned it); `latency_s` is the time from then until the
    result was yielded.
    """
    windower, smoother = Windower(windows), Smoother(smoothing)
    for chunk in chunks:
        arrived = time.perf_counter()
        for window in windower.push(chunk):
            yield from _scored([window], windows, score, detector, smoother, arrived)
    arrived = time.perf_counter()
    yield from _scored(windower.finish(), windows, score, detector, smoother, arrived)


def _scored(cut, windows, score, detector, smoother, arrived):
    if not cut:
        return
    speech, probs = _score(cut, detector, score)
    for result in _results(windows, cut, speech, probs, smoother, arrived):
        result.latency_s = time.perf_counter() - arrived
        yield result


# ----------------------------------------------------------------------------
# Showing and writing timelines.


def format_row(result: SegmentResult, class_names: Sequence[str], top: int = 3) -> str:
    """`start  end  emotion  the top posteriors` (or "no speech"), for the terminal."""
    span = f"{result.start_s:8.2f} {result.end_s:8.2f}  "
    if not result.speech:
        return span + NO_SPEECH
    best = result.top(top)
    return (
        span
        + f"{class_names[best[0]]:<12} "
        + "  ".join(f"{class_names[i]} {result.posteriors[i]:.2f}" for i in best)
    )


TABLE_HEADER = f"{'start_s':>8} {'end_s':>8}  {'emotion':<12} posteriors"


def records(rows: Sequence[SegmentResult], class_names: Sequence[str]) -> list[dict]:
    """One JSON-ready dict per window."""
    out = []
    for r in rows:
        row = {
            "start_s": round(r.start_s, 4),
            "end_s": round(r.end_s, 4),
            "speech": r.speech,
            "prediction": class_names[r.top(1)[0]] if r.speech else NO_SPEECH,
            "posteriors": (
                {
                    c: round(float(p), 5)
                    for c, p in zip(class_names, r.posteriors, strict=True)
                }
                if r.speech
                else None
            ),
        }
        if r.latency_s is not None:
            row["latency_ms"] = round(1000 * r.latency_s, 2)
        out.append(row)
    return out


def write(
    path: str | Path,
    recordings: dict[str, Sequence[SegmentResult]],
    class_names: Sequence[str],
    about: dict,
) -> None:
    """Writes timelines to `path`: JSON (`.json`: `about`, then each
    recording's windows) or CSV (otherwise: a row per window, its source first;
    posteriors empty where there is no speech)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        results.write_json(
            path,
            {
                **about,
                "class_names": list(class_names),
                "recordings": [
                    {
                        "source": source,
                        "speech": any(r.speech for r in rows),
                        "segments": records(rows, class_names),
                    }
                    for source, rows in recordings.items()
                ],
            },
        )
        return
    latency = any(r.latency_s is not None for rs in recordings.values() for r in rs)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(
            ["source", "start_s", "end_s", "speech", "prediction"]
            + [f"p_{c}" for c in class_names]
            + (["latency_ms"] if latency else [])
        )
        for source, rows in recordings.items():
            for row in records(rows, class_names):
                probs = row["posteriors"] or {}
                out.writerow(
                    [source, row["start_s"], row["end_s"], int(row["speech"])]
                    + [row["prediction"]]
                    + [f"{probs[c]:.4f}" if probs else "" for c in class_names]
                    + ([row.get("latency_ms", "")] if latency else [])
                )

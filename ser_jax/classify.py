"""Classifies new recordings with a trained run: per file, as a timeline, or live.

    python -m ser_jax.classify --workdir=runs/ravdess clip1.wav clip2.flac
    python -m ser_jax.classify --workdir=runs/ravdess --timeline --output=talk.csv --plot=talk.png talk.wav
    arecord -q -f S16_LE -r 16000 -c 1 | python -m ser_jax.classify --workdir=runs/ravdess --stream=- --verbose

Recordings are read at any sample rate (resampled to 16 kHz) and scored by the
best checkpoint of every finished fold (`--fold=K` for one); the posteriors
are averaged. A two-step run (`configs/satt_two_step.py`) averages each
stage's posteriors over folds and then applies the two-step rule
(`ser_jax.methods.two_step.combine`); each method that can classify says how
(`Method.load_scorer`).

- Per file (the default): the file is cut into segments as in training, and
  its answer is the mean posterior of the segments that hold speech.
- `--timeline`: windows of the model's segment width every `--hop_seconds`,
  each with its start, end and top emotions, or "no speech"
  (`ser_jax/timeline.py`; `--smoothing=N` averages over neighbouring speech
  windows); `--output` writes CSV or JSON, `--plot` a PNG of the posteriors
  over time.
- `--stream=-`: 16-bit PCM from standard input (raw at `--rate`, or WAV), or
  `--stream=FILE` read as if live (`ser_jax/streaming.py`): a row per window
  as soon as its last sample has arrived; `--verbose` adds each row's
  latency (from that sample's arrival to the printed row). It stops at the
  end of the input or on Ctrl-C (SIGINT, also where a shell started it as a
  background job, which ignores SIGINT unless told otherwise).

Speech detection (`ser_jax/data/speech_activity.py`, `--speech_threshold_db`,
`--nodetect_speech` to turn it off) marks segments without speech; they are
never given an emotion. Exit status: 0; 1 when a file or the stream could
not be used (the others are still classified; each error names its file and
problem); 3 when some recording has no speech at all (and nothing failed).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import ml_collections
import numpy as np
from absl import app, flags

from data_builders import audio as audio_files
from ser_jax import frontends, methods, plots, results, runtime, streaming
from ser_jax import timeline as timelines
from ser_jax.data.segments import Segments, make_segments
from ser_jax.data.speech_activity import SpeechDetector
from ser_jax.frontends import precomputed

FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", None, "A finished (or partly finished) training run.")
flags.DEFINE_integer("fold", -1, "Use this fold's model only (-1: average all folds).")
flags.DEFINE_string(
    "output", None, "Also write the results here: .json, or CSV for any other name."
)
flags.DEFINE_string("output_csv", None, "Per-file posteriors as CSV (as --output).")
flags.DEFINE_bool("timeline", False, "A row per segment instead of one per file.")
flags.DEFINE_float(
    "hop_seconds",
    0.0,
    "Timeline and stream: seconds between window starts "
    "(0: the model's segment width, windows end to end).",
)
flags.DEFINE_integer(
    "smoothing",
    1,
    "Timeline and stream: average each window's posteriors with "
    "those of the N-1 speech windows before it (1: off).",
)
flags.DEFINE_string("plot", None, "Timeline and stream: PNG of posteriors over time.")
flags.DEFINE_integer("top", 3, "Emotions shown per row.")
flags.DEFINE_string(
    "stream",
    None,
    "'-': 16-bit PCM from standard input (raw or WAV); or an audio "
    "file read as if live.",
)
flags.DEFINE_integer(
    "rate",
    0,
    "Stream: sample rate of raw PCM (0: 16000; a WAV stream or file "
    "gives its own, which --rate must then match).",
)
flags.DEFINE_float("chunk_seconds", 0.1, "Stream: the most audio one read takes.")
flags.DEFINE_float(
    "stream_speed", 1.0, "Stream of a file: times real time (0: as fast as it reads)."
)
flags.DEFINE_bool("verbose", False, "Stream: latency of every row, and a summary.")
flags.DEFINE_bool("detect_speech", True, "Report segments without speech as such.")
flags.DEFINE_float(
    "speech_threshold_db",
    SpeechDetector.threshold_db,
    "Speech detector: frame energy (dBFS) that counts as speech.",
)

flags.DEFINE_string(
    "compilation_cache",
    str(runtime.default_compilation_cache_dir()),
    "Directory of JAX's persistent compilation cache: the model's compiled "
    "programs are kept there, so the next run starts without compiling them "
    "('' turns it off).",
)

EXIT_FAILED = 1
EXIT_NO_SPEECH = 3
DEFAULT_DETECTOR = SpeechDetector()  # the documented thresholds


class NoSpeechError(ValueError):
    """A recording in which the speech detector found no speech."""


class Classifier:
    """The best checkpoints of a run's folds, ready to score waveforms.

    A two-step run (`config.method="two_step"`) scores with each stage's
    models (posteriors averaged over folds per stage) and returns
    `two_step.combine`'s scores, whose top class is the two-step decision.
    `detector` (None: off) marks the segments without speech, which are never
    scored.
    """

    def __init__(
        self,
        workdir: str | Path,
        fold: int = -1,
        detector: SpeechDetector | None = DEFAULT_DETECTOR,
    ):
        workdir = Path(workdir)
        config_path, results_path = workdir / "config.json", workdir / "results.json"
        if not config_path.exists() or not results_path.exists():
            raise FileNotFoundError(
                f"{workdir} holds no finished training run (config.json and results.json)."
            )
        self.workdir = workdir
        self.config = ml_collections.ConfigDict(json.loads(config_path.read_text()))
        method = methods.of(self.config)
        if method.load_scorer is None:
            able = [m.name for m in methods.METHODS.values() if m.load_scorer]
            raise ValueError(
                f"{workdir} is a {method.name!r} run; classify scores {' and '.join(able)} "
                "runs only."
            )
        if precomputed.is_host_frontend(self.config.frontend):
            raise ValueError(
                f"{workdir} was trained on features computed on the host "
                f"({self.config.frontend.name}, openSMILE), which classify does not "
                "compute for new recordings; it classifies runs of the JAX front-ends."
            )
        self.class_names = json.loads(results_path.read_text())["class_names"]
        self.sample_rate = audio_files.SAMPLE_RATE
        self.max_samples = round(self.config.max_segment_seconds * self.sample_rate)
        self.detector = detector
        # A run trained on trimmed utterances (`dataset.trim_silence`) sees its
        # files trimmed alike, by the detector training used.
        self.trim = bool(self.config.get("dataset", {}).get("trim_silence"))
        frontend = frontends.create_frontend(
            self.config.frontend, self.sample_rate, self.max_samples
        )
        fold_dirs = sorted(p.parent for p in workdir.glob("fold_*/fold_result.json"))
        if fold >= 0:
            fold_dirs = [d for d in fold_dirs if d.name == f"fold_{fold:02d}"]
        if not fold_dirs:
            raise FileNotFoundError(f"{workdir}: no finished fold to classify with.")
        self.folds = [d.name for d in fold_dirs]
        self.scorer = method.load_scorer(
            self.config, self.class_names, fold_dirs, frontend
        )

    # One answer per recording.

    def segments(self, audio: np.ndarray) -> Segments:
        """A 16 kHz waveform cut as in training (trimmed if training trimmed)."""
        audio = audio_files.to_int16(audio) if audio.dtype != np.int16 else audio
        if self.trim:
            audio = SpeechDetector(sample_rate=self.sample_rate).trim(audio)
        return make_segments(
            [audio],
            np.zeros(1, np.int32),
            self.max_samples,
            mode=self.config.get("segmentation", "equal"),
        )

    def posteriors(self, audio: np.ndarray) -> np.ndarray:
        """Mean posterior over the speech segments and fold models of one 16 kHz
        waveform (two-step runs: the two-step scores of the stages' means);
        raises `NoSpeechError` when no segment holds speech."""
        segments = self.segments(np.asarray(audio))
        if self.detector is not None:
            speech = np.array(
                [
                    self.detector.has_speech(row[:length])
                    for row, length in zip(
                        segments.audio, segments.lengths, strict=True
                    )
                ]
            )
            if not speech.any():
                raise NoSpeechError(f"no speech ({self.no_speech_rule()})")
            segments = segments.take(speech)
        return self.scorer.posteriors(segments)

    def classify_file(self, path: str | Path) -> np.ndarray:
        """Posteriors for a file; raises `AudioError` or `NoSpeechError` naming it."""
        try:
            return self.posteriors(audio_files.load_audio(path, self.sample_rate))
        except NoSpeechError as e:
            raise NoSpeechError(f"{path}: {e}") from None

    def no_speech_rule(self) -> str:
        d = self.detector
        return (
            f"no {d.min_speech_ms:g} ms of frames at or above {d.threshold_db:g} dBFS"
            if d
            else "speech detection off"
        )

    # A row per window.

    def windows(self, hop_seconds: float | None = None) -> timelines.Windows:
        """Windows of the model's segment width every `hop_seconds` (None or 0:
        the width)."""
        return timelines.Windows.of_seconds(
            self.config.max_segment_seconds, hop_seconds, self.sample_rate
        )

    def score_windows(self, windows: Sequence[np.ndarray]) -> np.ndarray:
        """`[S, K]` posteriors of int16 windows, each scored on its own."""
        segments = make_segments(
            list(windows), np.zeros(len(windows), np.int32), self.max_samples, "clip"
        )
        return self.scorer.segment_posteriors(segments)

    def timeline(
        self,
        recording: str | Path | np.ndarray,
        hop_seconds: float | None = None,
        smoothing: int = 1,
    ) -> list[timelines.SegmentResult]:
        """The timeline of a file (or a 16 kHz waveform): a `SegmentResult` per
        window, its posteriors None where there is no speech."""
        if isinstance(recording, str | Path):
            recording = audio_files.load_audio(recording, self.sample_rate)
        recording = np.asarray(recording)
        if recording.dtype != np.int16:
            recording = audio_files.to_int16(recording)
        return timelines.timeline(
            recording,
            self.windows(hop_seconds),
            self.score_windows,
            self.detector,
            smoothing,
        )

    def stream(
        self,
        chunks: Iterable[bytes | np.ndarray],
        sample_rate: int = audio_files.SAMPLE_RATE,
        channels: int = 1,
        hop_seconds: float | None = None,
        smoothing: int = 1,
    ) -> Iterator[timelines.SegmentResult]:
        """Results of a live stream, each as soon as its window is complete.

        `chunks`: bytes of 16-bit little-endian PCM (`channels` interleaved,
        split anywhere), or 1-D arrays of int16 or float samples, at
        `sample_rate` (resampled to 16 kHz). The results equal `timeline`'s
        for the same audio, however it is chunked (but for a
        `per_speaker_transductive` run, which standardises a stream's windows
        each with its own statistics and a timeline's with the whole
        recording's); bad input raises `streaming.StreamError`.
        """
        return timelines.stream(
            streaming.samples(chunks, sample_rate, channels, self.sample_rate),
            self.windows(hop_seconds),
            self.score_windows,
            self.detector,
            smoothing,
        )

    def about(self, hop_seconds: float | None = None, smoothing: int = 1) -> dict:
        """What a timeline file records of how it was made."""
        return {
            "model": str(self.workdir),
            "folds": self.folds,
            **self.windows(hop_seconds).describe(),
            "smoothing": smoothing,
            "speech_detector": self.detector.describe() if self.detector else None,
        }


def classify_files(classifier: Classifier, paths: Sequence[str]) -> tuple[list, list]:
    """([(path, posteriors, or None without speech)], [(path, error message)]);
    one bad file stops nothing."""
    scored, errors = [], []
    for path in paths:
        try:
            scored.append((path, classifier.classify_file(path)))
        except NoSpeechError:
            scored.append((path, None))
        except audio_files.AudioError as e:
            errors.append((path, str(e)))
    return scored, errors


# ----------------------------------------------------------------------------
# The command line.


def _status(errors: bool, no_speech: bool) -> int:
    return EXIT_FAILED if errors else EXIT_NO_SPEECH if no_speech else 0


def _classify_files(classifier: Classifier, paths: Sequence[str]) -> int:
    names = classifier.class_names
    scored, errors = classify_files(classifier, paths)
    for path, probs in scored:
        if probs is None:
            print(f"{path}\t{timelines.NO_SPEECH}\t({classifier.no_speech_rule()})")
            continue
        top = np.argsort(-probs, kind="stable")[: FLAGS.top]
        print(
            f"{path}\t{names[top[0]]}\t"
            + "  ".join(f"{names[i]} {probs[i]:.2f}" for i in top)
        )
    for path, message in errors:
        print(f"{path}\tERROR\t{message}", file=sys.stderr)
    for output in filter(None, (FLAGS.output, FLAGS.output_csv)):
        _write_files(Path(output), classifier, scored, errors)
    return _status(bool(errors), any(p is None for _, p in scored))


def _write_files(path: Path, classifier: Classifier, scored, errors) -> None:
    """Per-file results: JSON (.json) or CSV (`file,prediction,p_<class>...`)."""
    names = classifier.class_names
    if path.suffix.lower() == ".json":
        results.write_json(
            path,
            {
                **{
                    k: v
                    for k, v in classifier.about().items()
                    if k in ("model", "folds", "speech_detector")
                },
                "class_names": names,
                "files": [
                    {
                        "file": p,
                        "prediction": names[int(q.argmax())]
                        if q is not None
                        else timelines.NO_SPEECH,
                        "posteriors": None
                        if q is None
                        else {
                            c: round(float(x), 5) for c, x in zip(names, q, strict=True)
                        },
                    }
                    for p, q in scored
                ],
                "errors": [{"file": p, "error": m} for p, m in errors],
            },
        )
        return
    lines = ["file,prediction," + ",".join(f"p_{c}" for c in names)]
    for p, q in scored:
        if q is None:
            lines.append(f"{p},{timelines.NO_SPEECH}," + "," * (len(names) - 1))
        else:
            lines.append(
                f"{p},{names[int(q.argmax())]}," + ",".join(f"{x:.4f}" for x in q)
            )
    path.write_text("\n".join(lines) + "\n")


def _plot_path(base: str, source: str, several: bool) -> Path:
    """`base`, or with several recordings `base` with the source's stem added."""
    base = Path(base)
    if not several:
        return base
    return base.with_name(f"{base.stem}-{Path(source).stem}{base.suffix or '.png'}")


def _finish(classifier: Classifier, recordings: dict) -> None:
    """--output and --plot of timelines."""
    names = classifier.class_names
    if FLAGS.output:
        timelines.write(
            FLAGS.output,
            recordings,
            names,
            classifier.about(FLAGS.hop_seconds, FLAGS.smoothing),
        )
    if FLAGS.plot:
        for source, rows in recordings.items():
            plots.plot_timeline(
                rows,
                names,
                _plot_path(FLAGS.plot, source, len(recordings) > 1),
                title=f"{source} ({classifier.workdir.name})",
            )


def _classify_timelines(classifier: Classifier, paths: Sequence[str]) -> int:
    recordings, errors, silent = {}, False, False
    for path in paths:
        try:
            rows = classifier.timeline(path, FLAGS.hop_seconds, FLAGS.smoothing)
        except audio_files.AudioError as e:
            print(f"{path}\tERROR\t{e}", file=sys.stderr)
            errors = True
            continue
        recordings[path] = rows
        voiced = sum(r.speech for r in rows)
        w = classifier.windows(FLAGS.hop_seconds)
        print(
            f"{path}: {rows[-1].end_s:.2f} s, {len(rows)} segments of "
            f"{w.width / w.sample_rate:g} s every {w.hop / w.sample_rate:g} s, "
            f"{len(rows) - voiced} without speech"
        )
        if not voiced:
            print(f"{path}\t{timelines.NO_SPEECH}\t({classifier.no_speech_rule()})")
            silent = True
            continue
        print(timelines.TABLE_HEADER)
        for row in rows:
            print(timelines.format_row(row, classifier.class_names, FLAGS.top))
    _finish(classifier, recordings)
    return _status(errors, silent)


def _stream_source() -> tuple[str, Iterator, int, int]:
    """(name, chunks, their rate, channels) of --stream."""
    if FLAGS.stream == "-":
        rate, channels, chunks = streaming.pipe_source(
            sys.stdin.buffer if sys.stdin is not None else None,
            "standard input",
            FLAGS.rate,
            # A read asks for --chunk_seconds of (16 kHz mono or --rate) PCM.
            max(2, 2 * round(FLAGS.chunk_seconds * (FLAGS.rate or 16000))),
        )
        return "-", chunks, rate, channels
    rate, chunks = streaming.file_source(
        FLAGS.stream, FLAGS.rate, FLAGS.chunk_seconds, FLAGS.stream_speed
    )
    return FLAGS.stream, chunks, rate, 1


def _classify_stream(classifier: Classifier) -> int:
    rows, latencies, failed, stopped = [], [], None, False
    names = classifier.class_names
    # SIGINT is how a stream ends on purpose (Ctrl-C, `kill -INT`); a shell
    # starts background jobs with it ignored, and Python then never raises
    # KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        source, chunks, rate, channels = _stream_source()
        w = classifier.windows(FLAGS.hop_seconds)
        if FLAGS.verbose:
            print(
                f"stream {source}: {rate} Hz, {channels} channel(s); segments of "
                f"{w.width / w.sample_rate:g} s every {w.hop / w.sample_rate:g} s; "
                f"speech: {classifier.no_speech_rule().removeprefix('no ')}",
                file=sys.stderr,
            )
        print(timelines.TABLE_HEADER + ("  latency" if FLAGS.verbose else ""))
        for row in classifier.stream(
            chunks, rate, channels, FLAGS.hop_seconds, FLAGS.smoothing
        ):
            line = timelines.format_row(row, names, FLAGS.top)
            if FLAGS.verbose:
                row.latency_s = time.perf_counter() - row.ready_at
                latencies.append(row.latency_s)
                line += f"  {1000 * row.latency_s:.1f} ms"
            rows.append(row)
            print(line, flush=True)
    except streaming.StreamError as e:
        failed = str(e)
    except KeyboardInterrupt:
        stopped = True
    heard = rows[-1].end_s if rows else 0.0
    if stopped:
        print(f"stopped (Ctrl-C) after {heard:.2f} s of audio", file=sys.stderr)
    if failed:
        print(f"stream: ERROR\t{failed}", file=sys.stderr)
    if FLAGS.verbose and latencies:
        print(
            f"{len(rows)} segments ({sum(not r.speech for r in rows)} without "
            f"speech) in {heard:.2f} s of audio; latency median "
            f"{1000 * np.median(latencies):.1f} ms, max {1000 * max(latencies):.1f} ms",
            file=sys.stderr,
        )
    silent = bool(rows) and not any(r.speech for r in rows)
    if silent:
        print(f"{FLAGS.stream}\t{timelines.NO_SPEECH}\t({classifier.no_speech_rule()})")
    if rows:
        _finish(classifier, {FLAGS.stream: rows})
    return _status(bool(failed), silent)


def main(argv):
    paths = argv[1:]
    if not FLAGS.workdir or not (paths or FLAGS.stream):
        raise app.UsageError(
            "usage: python -m ser_jax.classify --workdir=RUN [--timeline] FILE [FILE ...]"
            "\n       python -m ser_jax.classify --workdir=RUN --stream=-|FILE"
        )
    if FLAGS.stream and (paths or FLAGS.timeline):
        raise app.UsageError(
            "--stream reads one input: give no files and no --timeline"
        )
    if not (FLAGS.timeline or FLAGS.stream) and (
        FLAGS.plot or FLAGS.hop_seconds or FLAGS.smoothing != 1
    ):
        raise app.UsageError(
            "--plot, --hop_seconds, --smoothing: with --timeline or --stream"
        )
    if FLAGS.output_csv and (FLAGS.timeline or FLAGS.stream):
        raise app.UsageError("--output_csv is per file; use --output for timelines")
    runtime.quiet_library_logs()
    runtime.enable_compilation_cache(FLAGS.compilation_cache)
    detector = (
        SpeechDetector(threshold_db=FLAGS.speech_threshold_db)
        if FLAGS.detect_speech
        else None
    )
    classifier = Classifier(FLAGS.workdir, FLAGS.fold, detector)
    try:
        print(f"model: {FLAGS.workdir} ({', '.join(classifier.folds)})", flush=True)
        if FLAGS.stream:
            return _classify_stream(classifier)
        if FLAGS.timeline:
            return _classify_timelines(classifier, paths)
        return _classify_files(classifier, paths)
    except BrokenPipeError:
        # The reader of our output went away (`| head`): stop without a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print("output closed (broken pipe): stopped", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    app.run(main)

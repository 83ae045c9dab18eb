"""Latency per segment and real-time factor of `ser_jax.classify`, end to end.

    python benchmarks/classify_latency.py --configs=quickstart,cnn_lstm,neumann

For each config, a run of fold 0 of synthetic/tiny (the quickstart's small
fold) trained for one epoch in `--runs_dir/<config>` (kept, and reused when
there): what a segment costs depends on the model's shape and segment width,
not on what its weights learned. The run has one fold, so every figure is one
model's; a run of K folds scores K models per segment (about K times the model
part).

The recording: synthetic clips back to back (`--seconds` of them), speech
throughout, so every window reaches the model (a window without speech costs
only the speech detector).

- Latency: the recording streamed at real time in `--read_seconds` reads
  (`streaming.paced`, as `--stream=FILE`) through `Classifier.stream`; per
  speech window, the time from the arrival of the read that completed it to
  its result (`SegmentResult.latency_s`; printing adds well under 1 ms). The
  first window compiles the model's program and is reported apart.
- Real-time factor (processing time / audio duration, below 1 is faster than
  real time), after a warm-up call: the whole recording as a timeline
  (`Classifier.timeline`: windows batched), and as a stream read as fast as
  it goes (one window at a time).
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks_md  # noqa: E402

import configs  # noqa: E402
from configs import common  # noqa: E402
from data_builders import audio as audio_files  # noqa: E402
from data_builders.synthetic import synthetic_speech  # noqa: E402
from ser_jax import classify, methods, runtime, streaming  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGS = flags.FLAGS
flags.DEFINE_list("configs", ["quickstart", "cnn_lstm", "neumann"], "Config names.")
flags.DEFINE_string("runs_dir", "runs/bench/classify_latency", "Parent of the runs.")
flags.DEFINE_float("seconds", 60.0, "Length of the test recording.")
flags.DEFINE_float("live_seconds", 60.0, "Of which streamed at real time.")
flags.DEFINE_float("read_seconds", 0.1, "Stream read size.")
flags.DEFINE_string("benchmarks_md", str(ROOT / "BENCHMARKS.md"), "File to update.")

SECTION = "## Classifying: latency per segment and real-time factor (benchmarks/classify_latency.py)"
HEADER = (
    "| config | model | parameters | segment | first segment (compile) | "
    "latency median | p90 | max | RTF timeline | RTF stream | machine | date |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)
INTRO = (
    "`python benchmarks/classify_latency.py --configs=quickstart,cnn_lstm,neumann` "
    "— what `ser_jax.classify` costs per segment on this machine. Each model is "
    "a one-epoch run of fold 0 of synthetic/tiny (the cost does not depend on "
    "the weights; one fold = one model; a K-fold run scores K models per "
    "segment). The recording is synthetic speech throughout, so every window "
    "reaches the model. Latency: streamed at real time in 100 ms reads "
    "(`--stream=FILE`), from the arrival of the read that completes a window to "
    "its result, over the speech windows after the first (which compiles). "
    "RTF: processing time / audio duration of a 60 s recording, after a "
    "warm-up, as a timeline (windows batched) and as a stream read as fast as "
    "it goes (one window at a time). The machine is shared with other jobs, "
    "so figures move by up to ~2× between runs; the load average is in each "
    "row's date cell.\n\n"
)


def make_run(name: str) -> Path:
    """A one-epoch run of `configs/<name>.py` on synthetic/tiny's fold 0."""
    workdir = Path(FLAGS.runs_dir) / name
    if not (workdir / "results.json").exists():
        config = common.small_fold(configs.load(name, "corpus=synthetic/tiny"))
        config.num_epochs = 1
        config.warmup_epochs = 0
        methods.run(config, workdir)
    return workdir


def recording(seconds: float) -> np.ndarray:
    """Synthetic clips back to back, int16, `seconds` long."""
    parts, total = [], 0
    for clip in synthetic_speech.generate_corpus(seed=11, utterances_per_emotion=3):
        parts.append(np.asarray(clip["audio"], np.float32))
        total += len(parts[-1])
        if total >= seconds * 16000:
            break
    return audio_files.to_int16(np.concatenate(parts)[: round(seconds * 16000)])


def measure(name: str, audio: np.ndarray) -> dict:
    classifier = classify.Classifier(make_run(name))
    chunk = round(FLAGS.read_seconds * 16000)
    live = audio[: round(FLAGS.live_seconds * 16000)]
    pieces = [live[i : i + chunk] for i in range(0, len(live), chunk)]
    rows = list(classifier.stream(streaming.paced(pieces, 16000, speed=1.0)))
    speech = [r.latency_s for r in rows if r.speech]
    first, rest = speech[0], np.asarray(speech[1:])

    duration = len(audio) / 16000
    classifier.timeline(audio)  # warm-up: compiles every batch size it uses
    start = time.perf_counter()
    classifier.timeline(audio)
    rtf_timeline = (time.perf_counter() - start) / duration
    pieces = [audio[i : i + chunk] for i in range(0, len(audio), chunk)]
    start = time.perf_counter()
    list(classifier.stream(pieces))
    rtf_stream = (time.perf_counter() - start) / duration
    result = json_summary(classifier.workdir)
    w = classifier.windows()
    return {
        "config": name,
        "model": result["model"],
        "params": result["params"],
        "segment": f"{w.width / 16000:g} s",
        "first_s": first,
        "median_ms": 1000 * float(np.median(rest)),
        "p90_ms": 1000 * float(np.percentile(rest, 90)),
        "max_ms": 1000 * float(rest.max()),
        "windows": len(rest),
        "rtf_timeline": rtf_timeline,
        "rtf_stream": rtf_stream,
    }


def json_summary(workdir: Path) -> dict:
    results = json.loads((workdir / "results.json").read_text())
    fold = results["folds"][0]
    return {
        "model": results["config"]["model"]["name"],
        "params": f"{fold['num_params'] / 1e6:.2f} M",
    }


def main(argv):
    del argv
    runtime.quiet_library_logs()
    audio = recording(FLAGS.seconds)
    for name in FLAGS.configs:
        m = measure(name, audio)
        load = os.getloadavg()[0]
        row = (
            f"| `{m['config']}` | {m['model']} | {m['params']} | {m['segment']} | "
            f"{m['first_s']:.2f} s | {m['median_ms']:.0f} ms | {m['p90_ms']:.0f} ms | "
            f"{m['max_ms']:.0f} ms | {m['rtf_timeline']:.2g} | {m['rtf_stream']:.2g} | "
            f"{benchmarks_md.machine()} | {time.strftime('%Y-%m-%d')}, load {load:.1f} |\n"
        )
        benchmarks_md.update_table(
            Path(FLAGS.benchmarks_md), SECTION, HEADER, f"`{name}`", row, intro=INTRO
        )
        print(row + f"({m['windows']} speech windows timed)", flush=True)


if __name__ == "__main__":
    app.run(main)

"""What `python -m ser_jax.classify` costs: start-up on one short file, and the
real-time factor of each paper-size model on a long recording.

    python benchmarks/classify_cost.py --part=startup --before=/tmp/ser_jax_before
    python benchmarks/classify_cost.py --part=rtf --seconds=600

Both use one-epoch runs of fold 0 of synthetic/tiny (`classify_latency.py`'s
`make_run`, kept in `--runs_dir/<config>` and reused): what scoring costs
depends on a model's shapes, not on what its weights learned.

- Start-up (`--part=startup`): the wall time of the whole command
  `python -m ser_jax.classify --workdir=RUN FILE` on a 3 s synthetic clip with
  the `quickstart` run (one fold), as a user runs it: a fresh process each time.
  Variants, interleaved `--repeats` times (median and range): this tree
  without the compilation cache (`--compilation_cache=`), this tree with a
  warm cache (a first run filled it), and, with `--before=DIR` (a source tree
  of an earlier commit, e.g. `git archive <commit> | tar -x -C DIR`), that
  tree as it was.
- Real-time factor (`--part=rtf`): processing time / audio duration of
  `Classifier.timeline` (windows end to end, batched) over `--seconds` of
  synthetic speech, after a warm-up call on the same recording (which
  compiles every batch shape it uses); one model (one fold) per config.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks_md  # noqa: E402
import classify_latency  # noqa: E402  (its flags: --runs_dir, --seconds, --benchmarks_md)

from ser_jax import classify, runtime  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGS = flags.FLAGS
PAPER_CONFIGS = [
    "cnn_lstm",
    "cnn_lstm_20hz",
    "satt_cnn",
    "aldeneh",
    "latif",
    "zhang",
    "zhao",
    "anand_r1",
    "anand_lstm",
    "anand_cnn_lstm",
    "sundharam_cnn1d",
    "sundharam_bilstm",
    "sundharam_transformer",
    "neumann",
]
flags.DEFINE_enum("part", "rtf", ["startup", "rtf"], "What to measure.")
flags.DEFINE_list("rtf_configs", PAPER_CONFIGS, "Configs whose RTF is measured.")
flags.DEFINE_string("before", None, "Start-up: a source tree of an earlier commit.")
flags.DEFINE_string("before_name", "", "Start-up: how the table names --before.")
flags.DEFINE_integer("repeats", 5, "Start-up: runs of each variant.")
flags.DEFINE_string("label", "", "Start-up: the label of this tree's rows.")

STARTUP_SECTION = (
    "## Classifying: start-up of one short file (benchmarks/classify_cost.py)"
)
STARTUP_HEADER = (
    "| variant | wall time, median | range | runs | machine | date, load |\n"
    "|---|---|---|---|---|---|\n"
)
STARTUP_INTRO = (
    "`python benchmarks/classify_cost.py --part=startup --before=DIR` — the "
    "whole command `python -m ser_jax.classify --workdir=RUN clip.wav` on a 3 s "
    "clip with the quickstart's one-fold run, a fresh process each time "
    "(interpreter, imports, loading the checkpoint, compiling or loading the "
    "model's program, scoring). The variants run interleaved; the machine is "
    "shared with other jobs (load average in the row).\n\n"
)
RTF_SECTION = "## Classifying: real-time factor of each paper-size model (benchmarks/classify_cost.py)"
RTF_HEADER = (
    "| config | model | parameters | segment | recording | RTF timeline | machine | date, load |\n"
    "|---|---|---|---|---|---|---|---|\n"
)
RTF_INTRO = (
    "`python benchmarks/classify_cost.py --part=rtf --seconds=600` — processing "
    "time / audio duration of `Classifier.timeline` (windows of the model's "
    "segment width end to end, batched) over 10 minutes of synthetic speech, "
    "after a warm-up call that compiles; one model per config (a one-epoch run "
    "of fold 0 of synthetic/tiny at the config's paper size: the cost depends "
    "on the shapes, not the weights). A K-fold run scores K models per window "
    "(about K times the model's part). The machine is shared with other jobs "
    "(load average in the row), so figures move by up to ~2x between runs.\n\n"
)


def clip_file(directory: Path) -> Path:
    path = directory / "clip.wav"
    sf.write(path, classify_latency.recording(3.0), 16000, subtype="PCM_16")
    return path


def timed(command: list[str], cwd: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(cwd)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed in {cwd}:\n{done.stderr}")
    return wall


def startup():
    run = classify_latency.make_run("quickstart").resolve()
    date = time.strftime("%Y-%m-%d")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clip, cache = clip_file(tmp), tmp / "jax_cache"
        base = [sys.executable, "-m", "ser_jax.classify", f"--workdir={run}"]
        label = FLAGS.label or "this tree"
        variants = {
            f"{label}, no compilation cache": (
                base + ["--compilation_cache=", str(clip)],
                ROOT,
            ),
            f"{label}, compilation cache warm": (
                base + [f"--compilation_cache={cache}", str(clip)],
                ROOT,
            ),
        }
        if FLAGS.before:
            name = FLAGS.before_name or f"before ({FLAGS.before})"
            variants[name] = (base + [str(clip)], Path(FLAGS.before).resolve())
        timed(*variants[f"{label}, compilation cache warm"])  # fills the cache
        times = {name: [] for name in variants}
        for _ in range(FLAGS.repeats):
            for name, (command, cwd) in variants.items():
                times[name].append(timed(command, cwd))
        load = os.getloadavg()[0]
        for name, walls in times.items():
            row = (
                f"| {name} | {statistics.median(walls):.1f} s | "
                f"{min(walls):.1f}–{max(walls):.1f} s | {len(walls)} | "
                f"{benchmarks_md.machine()} | {date}, load {load:.1f} |\n"
            )
            benchmarks_md.update_table(
                Path(FLAGS.benchmarks_md),
                STARTUP_SECTION,
                STARTUP_HEADER,
                name,
                row,
                intro=STARTUP_INTRO,
            )
            print(row, end="", flush=True)


def long_recording(seconds: float) -> np.ndarray:
    """`classify_latency.recording`, repeated where its clips run out (about
    7 minutes of them), `seconds` long."""
    audio = classify_latency.recording(seconds)
    n = round(seconds * 16000)
    return np.tile(audio, -(-n // len(audio)))[:n]


def rtf():
    audio = long_recording(FLAGS.seconds)
    duration = len(audio) / 16000
    for name in FLAGS.rtf_configs:
        classifier = classify.Classifier(classify_latency.make_run(name))
        classifier.timeline(audio)  # warm-up: compiles every batch shape it uses
        start = time.perf_counter()
        classifier.timeline(audio)
        factor = (time.perf_counter() - start) / duration
        summary = classify_latency.json_summary(classifier.workdir)
        width = classifier.windows().width / 16000
        load = os.getloadavg()[0]
        row = (
            f"| `{name}` | {summary['model']} | {summary['params']} | {width:g} s | "
            f"{duration / 60:g} min | {factor:.2g} | {benchmarks_md.machine()} | "
            f"{time.strftime('%Y-%m-%d')}, load {load:.1f} |\n"
        )
        benchmarks_md.update_table(
            Path(FLAGS.benchmarks_md),
            RTF_SECTION,
            RTF_HEADER,
            f"`{name}`",
            row,
            intro=RTF_INTRO,
        )
        print(row, end="", flush=True)


def main(argv):
    del argv
    runtime.quiet_library_logs()
    if FLAGS.part == "startup":
        startup()
    else:
        rtf()


if __name__ == "__main__":
    app.run(main)

#!/usr/bin/env bash
# The README model table's owed rows, on one accelerator within a time budget.
#
#     bash benchmarks/device_check.sh [RUNS_DIR]        # default runs/device_check
#
# Trains, in order of value, the paper-size configs whose RAVDESS 6-group LOSGO
# row the README owes to a GPU (Satt et al.'s CNN-LSTM first), each as
# `benchmarks/ravdess_losgo.py` runs it, until the budget is spent: a run that
# would outlast it is stopped, and the next invocation with the same RUNS_DIR
# resumes it from its latest checkpoint (finished folds are skipped; finished
# configs are not started again). Then it prints the table: each config's
# folds finished, and its pooled UAR / WA once all are. Finished rows also go,
# in BENCHMARKS.md's format, into RUNS_DIR/BENCHMARKS.md (and, where $OUT is
# set, the table and those rows are copied there). Exit status 1 when a run
# failed (its log: RUNS_DIR/<config>.log), else 0.
#
# Environment (all optional):
#   DEVICE_CHECK_BUDGET_S   seconds for the whole check (default 450: 8 minutes
#                           less start-up and a stopped run's grace period)
#   DEVICE_CHECK_CONFIGS    configs in order (default below)
#   DEVICE_CHECK_CORPUS     corpus argument of the configs (default ravdess)
#   DEVICE_CHECK_OVERRIDES  extra flags for every run, e.g. "--config.length_buckets=12"
#   SER_JAX_CORPORA         folder holding ravdess/ to build the corpus from
#                           (default ../shared/corpora, else shared/corpora)
#
# On the CPU with a tiny budget and corpus (tests/test_device_check.py):
#   DEVICE_CHECK_CORPUS=synthetic/tiny DEVICE_CHECK_CONFIGS="neumann" \
#   DEVICE_CHECK_OVERRIDES="--config.num_epochs=1 --config.fold=0" bash benchmarks/device_check.sh /tmp/dc
set -uo pipefail

cd "$(dirname "$0")/.."
RUNS=${1:-runs/device_check}
BUDGET=${DEVICE_CHECK_BUDGET_S:-450}
# Most valuable first: Satt's CNN-LSTM (the project's reference model), then
# the owed rows with a published RAVDESS figure (Keesing's Aldeneh, Zhang,
# Zhao), Satt's other CNNs, then Anand's R7. Latif and Anand's R1, chunk LSTM
# and CNN-LSTM ran on the CPU (BENCHMARKS.md), so they are not owed.
CONFIGS=${DEVICE_CHECK_CONFIGS:-"cnn_lstm aldeneh satt_cnn zhao zhang cnn_lstm_20hz satt_two_step anand_r7"}
CORPUS=${DEVICE_CHECK_CORPUS:-ravdess}
OVERRIDES=${DEVICE_CHECK_OVERRIDES:-}
if [[ -n ${SER_JAX_CORPORA:-} ]]; then
  CORPORA=$SER_JAX_CORPORA
elif [[ -d ../shared/corpora ]]; then
  CORPORA=../shared/corpora
else
  CORPORA=shared/corpora
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$RUNS"
deadline=$(($(date +%s) + BUDGET))
failed=0

for name in $CONFIGS; do
  if [[ ! -f configs/$name.py ]]; then
    echo "device_check: no config configs/$name.py" >&2
    continue
  fi
  workdir=$RUNS/$name
  if [[ -f $workdir/DONE ]]; then
    echo "device_check: $name finished earlier"
    continue
  fi
  left=$((deadline - $(date +%s)))
  if ((left < 10)); then
    echo "device_check: budget spent; run again to resume from $RUNS"
    break
  fi
  echo "device_check: $name ($left s left)"
  # shellcheck disable=SC2086  # OVERRIDES is a list of flags
  timeout --kill-after=15 "$left" python benchmarks/ravdess_losgo.py \
    --config="configs/$name.py:corpus=$CORPUS,protocol=losgo" \
    --workdir="$workdir" --label="\`$name\` on $CORPUS, device check" \
    --manual_dir="$CORPORA/ravdess" --benchmarks_md="$RUNS/BENCHMARKS.md" \
    $OVERRIDES 2>"$workdir.log"
  status=$?
  if ((status == 0)); then
    touch "$workdir/DONE"
  elif ((status == 124 || status == 137)); then
    echo "device_check: $name stopped at the budget; run again to resume"
    break
  else
    failed=1
    echo "device_check: $name failed (exit $status); its log: $workdir.log" >&2
    tail -n 5 "$workdir.log" >&2
  fi
done

python - "$RUNS" $CONFIGS <<'EOF' | tee "$RUNS/table.md"
"""The check's table: per config, the folds finished and, once all are, the
pooled figures of results.json."""
import json
import sys
from pathlib import Path

runs, names = Path(sys.argv[1]), sys.argv[2:]
print("| config | folds finished | pooled UAR | pooled WA | UAR mean ± std | epochs | state |")
print("|---|---|---|---|---|---|---|")
for name in names:
    workdir = runs / name
    folds = len(list(workdir.glob("fold_*/fold_result.json")))
    results_path = workdir / "results.json"
    config_path = workdir / "config.json"
    epochs = (
        json.loads(config_path.read_text()).get("num_epochs", "")
        if config_path.exists()
        else ""
    )
    if (workdir / "DONE").exists() and results_path.exists():
        results = json.loads(results_path.read_text())
        summary = results["summary"]["utterance"]
        total = results["protocol"]["num_folds"]
        print(
            f"| `{name}` | {len(results['folds'])}/{total} "
            f"| {summary['pooled']['uar']:.1%} | {summary['pooled']['wa']:.1%} "
            f"| {summary['uar_over_folds']['mean']:.1%} ± "
            f"{summary['uar_over_folds']['std']:.1%} | {epochs} | done |"
        )
    elif workdir.exists():
        print(f"| `{name}` | {folds} | — | — | — | {epochs} | resumes when run again |")
    else:
        print(f"| `{name}` | 0 | — | — | — | | not started |")
EOF
if [[ -n ${OUT:-} ]]; then
  cp "$RUNS/table.md" "$OUT/device_check_table.md"
  [[ -f $RUNS/BENCHMARKS.md ]] && cp "$RUNS/BENCHMARKS.md" "$OUT/device_check_BENCHMARKS.md"
fi
exit $failed

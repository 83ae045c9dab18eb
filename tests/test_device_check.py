"""benchmarks/device_check.sh on the CPU with a tiny budget and corpus (one
cheap config, Neumann's, one epoch of one fold): it stops at its budget,
finishes its queue when run again, skips what it finished, and prints the
table of what it has."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ["neumann"]


def device_check(runs: Path, data_dir: str, budget: int) -> str:
    env = {
        **os.environ,
        "TFDS_DATA_DIR": data_dir,
        "DEVICE_CHECK_BUDGET_S": str(budget),
        "DEVICE_CHECK_CONFIGS": " ".join(CONFIGS),
        "DEVICE_CHECK_CORPUS": "synthetic/tiny",
        "DEVICE_CHECK_OVERRIDES": "--config.num_epochs=1 --config.fold=0 "
        "--config.protocol.num_groups=4 --config.protocol.num_val_speakers=1",
    }
    env.pop("OUT", None)
    done = subprocess.run(
        ["bash", "benchmarks/device_check.sh", str(runs)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def table_rows(out: str) -> dict[str, list[str]]:
    rows = [
        line.split("|")[1:-1] for line in out.splitlines() if line.startswith("| `")
    ]
    return {cells[0].strip().strip("`"): [c.strip() for c in cells] for cells in rows}


def test_device_check_stops_at_its_budget_resumes_and_prints_the_table(
    data_dir, tmp_path
):
    runs = tmp_path / "runs"
    # 11 s: the script starts a run only with 10 s left, and one run takes
    # longer than that to import, load the corpus and compile.
    out = device_check(runs, data_dir, budget=11)
    assert "neumann stopped at the budget" in out
    rows = table_rows(out)
    assert list(rows) == CONFIGS
    assert all(row[-1] != "done" for row in rows.values())
    assert not (runs / "neumann" / "DONE").exists()

    out = device_check(runs, data_dir, budget=1200)
    rows = table_rows(out)
    for name in CONFIGS:
        assert (runs / name / "DONE").exists()
        folds, uar, state = rows[name][1], rows[name][2], rows[name][-1]
        assert (folds, state) == ("1/4", "done")
        assert uar.endswith("%") and 0.0 <= float(uar[:-1]) <= 100.0
    table = (runs / "table.md").read_text()
    benchmarks = (runs / "BENCHMARKS.md").read_text()
    assert all(
        f"`{name}` on synthetic/tiny, device check" in benchmarks for name in CONFIGS
    )

    # Nothing left to do: nothing is trained again, and the table stands.
    out = device_check(runs, data_dir, budget=1200)
    assert all(f"{name} finished earlier" in out for name in CONFIGS)
    assert (runs / "table.md").read_text() == table

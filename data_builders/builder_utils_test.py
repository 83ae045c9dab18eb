"""data_builders stands alone: it imports nothing from ser_jax."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Every module of data_builders but the tests and make_dummy_data scripts.
MODULES = [
    "data_builders",
    "data_builders.audio",
    "data_builders.builder_utils",
    "data_builders.emodb.emodb_dataset_builder",
    "data_builders.ravdess.ravdess_dataset_builder",
    "data_builders.synthetic.synthetic_dataset_builder",
    "data_builders.synthetic.synthetic_speech",
]


def test_imports_nothing_from_ser_jax():
    # A fresh interpreter, as `tfds build data_builders/<name>` would start;
    # run from the repository root so that this checkout's packages are used.
    code = (
        "import importlib, sys\n"
        f"for module in {MODULES!r}:\n"
        "    importlib.import_module(module)\n"
        "print(sys.modules['data_builders'].__file__)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'ser_jax'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    init_file, ser_jax_modules = result.stdout.splitlines()[-2:]
    assert Path(init_file) == REPO / "data_builders" / "__init__.py"
    assert ser_jax_modules == "[]"

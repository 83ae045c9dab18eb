"""Process set-up shared by the command-line entry points (main, studies, classify)."""

from __future__ import annotations

import os
from pathlib import Path

import jax
from absl import logging


def default_compilation_cache_dir() -> Path:
    """Where compiled programs are kept between processes by default:
    `$JAX_COMPILATION_CACHE_DIR` when set, else `ser_jax/jax_cache` under
    `$XDG_CACHE_HOME` (~/.cache)."""
    if os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return Path(os.environ["JAX_COMPILATION_CACHE_DIR"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "ser_jax" / "jax_cache"


def enable_compilation_cache(path: str | Path | None) -> Path | None:
    """Keeps XLA's compiled programs in `path` (JAX's persistent compilation
    cache), so a later process that runs the same programs (same model, shapes
    and JAX version) loads them instead of compiling; None or "" turns it off.

    Every program is kept however fast it compiled (JAX's default keeps only
    those over 1 s; a model's scoring step on a CPU often compiles faster,
    and a process that compiles several pays for all of them at start-up).
    Returns the directory, or None when off.
    """
    if not path:
        return None
    path = Path(path).expanduser()
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    return path


def quiet_library_logs() -> None:
    """Orbax logs every save at INFO; keep the terminal for progress lines."""
    logging.get_absl_handler().addFilter(lambda r: "/orbax/" not in r.pathname)


def setup_process() -> None:
    """Quiet library logs, keep TensorFlow (which reads the data through TFDS)
    off the accelerators JAX uses, and log the process and its devices."""
    import tensorflow as tf  # only the entry points need it here

    quiet_library_logs()
    tf.config.experimental.set_visible_devices([], "GPU")
    logging.info(
        "JAX process %d/%d, local devices: %s",
        jax.process_index(),
        jax.process_count(),
        jax.local_devices(),
    )

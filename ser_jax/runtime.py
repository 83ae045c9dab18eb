"""Process set-up shared by the command-line entry points (main, studies, classify)."""

from __future__ import annotations

import jax
from absl import logging


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

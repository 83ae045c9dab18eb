"""Two fake CPU devices for every test, so multi-device code runs on any machine.

XLA reads the flag when JAX starts, so it is set before anything imports JAX.
"""

import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def compilation_cache(tmp_path_factory):
    """Many tests train the same tiny model: a persistent XLA cache for the
    session compiles each step shape once."""
    import jax
    from jax.experimental.compilation_cache import compilation_cache as cc

    jax.config.update(
        "jax_compilation_cache_dir", str(tmp_path_factory.mktemp("jax_cache"))
    )
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    cc.reset_cache()


@pytest.fixture(scope="module", autouse=True)
def release_compiled_programs():
    """Each test module compiles its own programs: drop them (and their memory)
    after the module, as a long session otherwise keeps hundreds in process;
    the persistent cache above still has them on disk."""
    yield
    import gc

    import jax

    jax.clear_caches()
    gc.collect()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """One TFDS data dir per test session: synthetic/tiny is built once."""
    return str(tmp_path_factory.mktemp("tfds"))


@pytest.fixture(scope="session")
def tiny_config():
    """A few-second Satt CNN-LSTM run on synthetic/tiny, fold 0 of 4 groups."""
    from configs import cnn_lstm

    from tiny_fold import on_tiny_fold

    def make(data_dir, **overrides):
        config = on_tiny_fold(
            cnn_lstm.get_config("corpus=synthetic/tiny,protocol=losgo"), data_dir
        )
        config.max_segment_seconds = 1.0
        config.frontend.grid_hz = 40.0  # DFT of 400 points: the window must fit
        config.frontend.window_ms = 20.0
        config.model.conv_features = (4, 4, 8)
        config.model.conv_kernels = ((5, 5), (5, 5), (3, 3))
        config.model.lstm_units = 8
        config.model.dense_units = 8
        config.model.dropout_rate = 0.0
        config.num_epochs = 2
        config.batch_size = 16
        config.eval_batch_size = 16
        config.warmup_epochs = 0
        config.update(overrides)
        return config

    return make

"""Two fake CPU devices for every test, so multi-device code runs on any machine.

XLA reads the flag when JAX starts, so it is set before anything imports JAX.
"""

import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

"""ser_jax: speech emotion recognition in JAX/Flax NNX."""

import setuptools

INSTALL_REQUIRES = [
    "jax==0.10.2",
    "jaxlib==0.10.2",
    "flax==0.12.8",
    "optax==0.2.8",
    "orbax-checkpoint==0.12.8",
    "tensorflow-datasets==4.9.10",
    "tensorflow-cpu==2.21.0",
    # The `tfds build` CLI imports these; every TFDS build imports
    # importlib_resources without declaring it.
    "apache-beam==2.77.0",
    "mlcroissant==1.1.1",
    "importlib_resources",
    "librosa==0.11.0",
    "soundfile",
    "av",  # FFmpeg: audio that libsndfile cannot read (e.g. inside AVI video)
    "absl-py",
    "ml-collections==1.1.0",
    "clu",
    "tensorboard",  # clu's summary writer; not pulled in by tensorflow-cpu 2.21
    "opensmile==2.6.0",
    "praat-parselmouth==0.4.7",
    "scikit-learn",
    "matplotlib",
]

TEST_REQUIRES = [
    "pytest",
    "pytest-xdist",
    "nbmake",
    "ruff",
    "dill",
    "pillow",  # an independent image resize to test Anand's against
]  # dill: tfds.testing

setuptools.setup(
    name="ser_jax",
    version="0.1.0",
    description="Speech emotion recognition in JAX/Flax NNX, speaker-independent.",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=setuptools.find_packages(include=["ser_jax*", "data_builders*"]),
    package_data={"data_builders": ["*/*.tsv", "*/*.bib", "*/*.md", "*/*.json"]},
    install_requires=INSTALL_REQUIRES,
    extras_require={"test": TEST_REQUIRES},
)

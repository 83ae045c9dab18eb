"""Anand & Verma's ER2: R1 and R3 ensembled (40.8 % against R1's 39.7 %).

    python -m ser_jax.main --config=configs/anand_er2.py:corpus=emodb --workdir=runs/anand_er2

Arguments as `configs/anand_r1.py` (`corpus`, `protocol`). Per fold, R1 (1024
filters 64 x 5) and R3 (16 then 32 filters 64 x 5) are trained as
`configs/anand_r1.py` trains R1 (`fold_XX/r1/`, `fold_XX/r3/`), and a
chunk's posterior is the mean of theirs (`config.method = "ensemble"`,
`ser_jax/methods/ensemble.py`); an utterance's, the mean over its chunks.
The report does not say how ER2 combines the two: the mean of the
posteriors is the plain reading. `--config.ensemble.combiners='("mean",
"softmax")'` also stacks a softmax regression on both models' scores.
The report's figures are per chunk on a random split of chunks (not
speaker independent).
"""

import ml_collections

from configs import anand_r1


def anand_ensemble(
    arg: str | None, variants: tuple[str, ...], combiners: tuple[str, ...]
):
    """`configs/anand_r1.py`'s config with `config.method = "ensemble"` over the
    chunk CNNs `variants` (member `r1` for R1, ...), combined by `combiners`."""
    config = anand_r1.get_config(arg)
    model = config.model
    del config["model"]  # the members' models replace it
    config.method = "ensemble"
    config.ensemble = ml_collections.ConfigDict()
    config.ensemble.members = ml_collections.ConfigDict()
    for variant in variants:
        member = ml_collections.ConfigDict(model.to_dict())
        member.variant = variant
        config.ensemble.members[variant.lower()] = member
    config.ensemble.combiners = combiners
    config.ensemble.fit_on = "train"
    config.ensemble.gmm_components = 2
    return config


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    return anand_ensemble(arg, ("R1", "R3"), ("mean",))

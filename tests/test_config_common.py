"""What the config files share (`configs/common.py`)."""

import pytest

from configs import common


def test_config_args():
    assert common.parse("corpus=ravdess,n=3", corpus="x", n=1) == {
        "corpus": "ravdess",
        "n": 3,
    }
    with pytest.raises(ValueError, match="Unknown config argument"):
        common.parse("corpsu=ravdess", corpus="x")

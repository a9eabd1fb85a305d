"""The crash suite with two hosts on one storage, one killed at a time: what one promised,
the other finishes (tests/support/crash/scenario.py)."""

import pytest

from tests.support.crash.scenario import providers, run

pytestmark = pytest.mark.long  # started first (tests/conftest.py)


def test_what_one_host_promised_the_other_finishes(azurite, sealing_key, tmp_path):
    with providers() as stand_ins:
        run(azurite, sealing_key, stand_ins, tmp_path, hosts=2)

"""The crash suite with one host: killed with SIGKILL at random moments, started again on
the same storage and queues (tests/support/crash/scenario.py)."""

import pytest

from tests.support.crash.scenario import providers, run

pytestmark = pytest.mark.long  # started first (tests/conftest.py)


def test_what_a_host_promised_survives_its_kills(azurite, sealing_key, tmp_path):
    with providers() as stand_ins:
        run(azurite, sealing_key, stand_ins, tmp_path, hosts=1)

import pytest

from sandbox.settings import Settings


def test_defaults_then_environment_then_flags():
    assert Settings.load({}).port == 8080
    env = {"SANDBOX_PORT": "9000", "SANDBOX_SEED": "7", "SANDBOX_RUN_FOR": "0.5", "SANDBOX_FROZEN_AT": "2026-01-01"}
    settings = Settings.load(env)
    assert (settings.port, settings.seed, settings.run_for, settings.frozen_at) == (9000, 7, 0.5, "2026-01-01")
    assert Settings.load(env, port=9100, seed=None).port == 9100
    assert Settings.load(env, port=9100, seed=None).seed == 7  # an unset flag leaves the variable's value


@pytest.mark.parametrize("name, value", [("SANDBOX_PORT", "eighty"), ("SANDBOX_RATE_INTERVAL", "soon")])
def test_malformed_variables_name_themselves(name, value):
    with pytest.raises(ValueError, match=name):
        Settings.load({name: value})

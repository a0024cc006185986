"""The settings of the verification page: read from the environment, refused with the variable's name."""

from __future__ import annotations

import pytest

from flowengine.config import Settings
from flowengine.errors import ConfigurationError
from flowengine.service.ops.ratelimit import Limit


def test_public_url_and_rate_limit_are_read_and_checked() -> None:
    s = Settings.from_env(
        {"FLOWENGINE_PUBLIC_URL": "https://oa.example.cn/", "FLOWENGINE_VERIFY_RATE_LIMIT": "5/10s"}
    )
    assert (s.public_url, s.verify_rate_limit) == ("https://oa.example.cn", "5/10s")
    assert Limit.parse(s.verify_rate_limit) == Limit(5, 10)
    assert Limit.parse("30/minute") == Limit(30, 60) and Limit.parse("100/hour") == Limit(100, 3600)
    assert Settings.from_env({}).public_url is None and Settings.from_env({}).verify_rate_limit == "30/minute"
    with pytest.raises(ConfigurationError, match="FLOWENGINE_PUBLIC_URL"):
        Settings.from_env({"FLOWENGINE_PUBLIC_URL": "oa.example.cn"})
    for bad in ("many", "0/minute", "30/fortnight"):
        with pytest.raises(ConfigurationError, match="FLOWENGINE_VERIFY_RATE_LIMIT"):
            Settings.from_env({"FLOWENGINE_VERIFY_RATE_LIMIT": bad})

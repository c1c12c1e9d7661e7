"""The dashboard's settings from the environment."""

from __future__ import annotations

import pytest

from azura_common.config import ConfigError
from azura_parent.web.config import WebConfig


def test_off_without_a_port() -> None:
    assert WebConfig.from_env({}) is None


def test_port_from_azura_web_port_else_port() -> None:
    web = WebConfig.from_env({"PORT": "5000"})
    assert web is not None and web.port == 5000 and web.host == "0.0.0.0"
    assert web.base_url == "http://127.0.0.1:5000" and web.redirect_uri == "http://127.0.0.1:5000/auth/callback"
    assert not web.secure_cookies and web.client_secret is None
    assert len(web.cookie_secret) == 32  # random when AZURA_WEB_SECRET is unset
    web = WebConfig.from_env({"PORT": "5000", "AZURA_WEB_PORT": "8080"})
    assert web is not None and web.port == 8080


def test_a_public_https_address_makes_cookies_secure_and_is_the_redirect() -> None:
    web = WebConfig.from_env({"AZURA_WEB_PORT": "8080", "AZURA_WEB_URL": "https://azura.example/",
                              "AZURA_OAUTH_CLIENT_SECRET": "s", "AZURA_WEB_SECRET": "k", "AZURA_OWNER_IDS": "1,2",
                              "AZURA_DISCORD_API": "http://127.0.0.1:9/"})
    assert web is not None and web.secure_cookies and web.redirect_uri == "https://azura.example/auth/callback"
    assert web.cookie_secret == b"k" and web.owner_ids == {1, 2} and web.client_secret == "s"
    assert web.discord_api == "http://127.0.0.1:9/api/v10"


@pytest.mark.parametrize("env", [{"AZURA_WEB_PORT": "eighty"}, {"AZURA_WEB_PORT": "70000"},
                                 {"PORT": "1", "AZURA_WEB_URL": "azura.example"},
                                 {"PORT": "1", "AZURA_OAUTH_CLIENT_ID": "my-app"},
                                 {"PORT": "1", "AZURA_OWNER_IDS": "me"}])
def test_malformed_settings_are_named(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as raised:
        WebConfig.from_env(env)
    assert any(name in str(raised.value) for name in env if name != "PORT")

"""config_flow.py: sign-in, every error recovering to an entry, reauth and reconfigure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from unittest.mock import AsyncMock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.monogoto.api import DEFAULT_BASE_URL
from custom_components.monogoto.config_flow import InvalidUrlError, normalize_url
from custom_components.monogoto.const import CONF_ADVANCED, DOMAIN
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .simulator import DEMO_PASSWORD, DEMO_USERNAME, MonogotoSimulator
from .simulator.app import DEMO_CUSTOMER_ID


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Keep the created entry from setting up: these tests are about the flow."""
    with patch(
        "custom_components.monogoto.async_setup_entry", return_value=True
    ) as mock:
        yield mock


def _form(
    url: str, password: str = DEMO_PASSWORD, username: str = DEMO_USERNAME
) -> dict:
    return {
        CONF_USERNAME: username,
        CONF_PASSWORD: password,
        "advanced": {CONF_URL: url},
    }


async def test_user_flow_creates_entry(
    hass: HomeAssistant,
    sim_url: str,
    simulator: MonogotoSimulator,
    mock_setup_entry: AsyncMock,
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}
    assert _advanced_collapsed(result) is True
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(sim_url + "/", username=f"  {DEMO_USERNAME} ")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == DEMO_USERNAME
    assert result["data"] == {
        CONF_USERNAME: DEMO_USERNAME,
        CONF_PASSWORD: DEMO_PASSWORD,
        CONF_URL: sim_url,
    }
    assert result["result"].unique_id == DEMO_CUSTOMER_ID
    assert simulator.requests["auth"] == 1
    assert len(mock_setup_entry.mock_calls) == 1


def _break(simulator: MonogotoSimulator, error: str) -> str:
    """Make the next sign-in fail with ``error``; return the URL field to submit."""
    if error == "invalid_auth":
        simulator.password = "changed"
    elif error == "cannot_connect":
        simulator.fail("auth", status=503)
    elif error == "unexpected_answer":
        # A right password, answered in a form that carries no token we can find.
        simulator.fail(
            "auth",
            status=200,
            body='{"Success": true, "Data": {"Session": {"UserId": "u1"}}}',
            content_type="application/json",
        )
    elif error == "invalid_url":
        return "http://console.example.com"
    return ""


def _advanced_collapsed(result: ConfigFlowResult) -> bool:
    """Return whether the form shows its Advanced section collapsed."""
    return bool(result["data_schema"].schema[CONF_ADVANCED].options["collapsed"])


@pytest.mark.parametrize(
    ("error", "patch_login"),
    [
        ("invalid_auth", False),
        ("cannot_connect", False),
        ("unexpected_answer", False),
        ("invalid_url", False),
        ("unknown", True),
    ],
)
async def test_user_flow_errors_recover(
    hass: HomeAssistant,
    sim_url: str,
    simulator: MonogotoSimulator,
    error: str,
    patch_login: bool,
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    url = _break(simulator, error) or sim_url
    with (
        patch(
            "custom_components.monogoto.config_flow.MonogotoClient.login",
            side_effect=RuntimeError("boom"),
        )
        if patch_login
        else nullcontext()
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _form(url)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    # An error about the console URL opens the Advanced section, which holds it.
    assert _advanced_collapsed(result) is (error != "invalid_url")

    simulator.password = DEMO_PASSWORD
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(sim_url)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == DEMO_CUSTOMER_ID


async def test_user_flow_duplicate_aborts(
    hass: HomeAssistant, sim_url: str, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(sim_url)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://console.monogoto.io", "https://console.monogoto.io"),
        ("https://console.monogoto.io/", "https://console.monogoto.io"),
        (" http://127.0.0.1:8099/ ", "http://127.0.0.1:8099"),
        ("http://localhost:8099", "http://localhost:8099"),
        ("http://[::1]:8099", "http://[::1]:8099"),
    ],
)
def test_normalize_url_accepts(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://console.monogoto.io",
        "http://192.168.1.10:8099",
        "ftp://console.monogoto.io",
        "console.monogoto.io",
        "https://user:pw@console.monogoto.io",
        "https://:secret@console.monogoto.io",
        "https://user@console.monogoto.io",
        "https://@console.monogoto.io",
        "http://:secret@127.0.0.1:8099",
        "https://console.monogoto.io/?x=1",
        "https://[::1",
        "",
    ],
)
def test_normalize_url_rejects(url: str) -> None:
    with pytest.raises(InvalidUrlError):
        normalize_url(url)


async def test_reauth(
    hass: HomeAssistant,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    mock_config_entry.add_to_hass(hass)
    simulator.password = "new-password"
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["username"] == DEMO_USERNAME

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "still-wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "new-password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_PASSWORD] == "new-password"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_reconfigure(
    hass: HomeAssistant,
    sim_url: str,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    mock_config_entry.add_to_hass(hass)
    simulator.username = "ops@example.com"
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form("http://example.com", username="ops@example.com")
    )
    assert result["errors"] == {"base": "invalid_url"}
    assert _advanced_collapsed(result) is False

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(sim_url, username="ops@example.com")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_USERNAME] == "ops@example.com"
    assert mock_config_entry.title == "ops@example.com"


@pytest.mark.parametrize("source", ["reauth", "reconfigure"])
async def test_wrong_account_aborts(
    hass: HomeAssistant,
    sim_url: str,
    simulator: MonogotoSimulator,
    mock_config_entry: MockConfigEntry,
    source: str,
) -> None:
    """Signing in to another account aborts either flow and leaves the entry as it was."""
    mock_config_entry.add_to_hass(hass)
    data = dict(mock_config_entry.data)
    simulator.customer_id = "cid_another_account"
    if source == "reauth":
        result = await mock_config_entry.start_reauth_flow(hass)
        user_input = {CONF_PASSWORD: DEMO_PASSWORD}
    else:
        result = await mock_config_entry.start_reconfigure_flow(hass)
        user_input = _form(sim_url)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data == data


def test_default_url_is_https() -> None:
    assert normalize_url(DEFAULT_BASE_URL) == DEFAULT_BASE_URL

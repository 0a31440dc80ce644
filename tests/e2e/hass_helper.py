"""Prepare and drive a real Home Assistant for scripts/develop and scripts/e2e, without the UI.

Runs with the Python of the Home Assistant venv (it imports ``homeassistant`` for ``seed``
and needs only aiohttp otherwise). Subcommands:

  seed CONFIG_DIR PORT
      Before the first start: bind HTTP to 127.0.0.1:PORT only (``.storage/http``; HA >= 2026.8
      would otherwise trial YAML ``http:`` for five minutes, then revert to 0.0.0.0), and mark
      every onboarding step except "user" done, so onboarding never starts the met,
      radio_browser and google_translate flows (they would reach out to the internet).
  onboard URL USER PASSWORD [--monogoto-url U --monogoto-user N --monogoto-password P]
      Wait until Home Assistant runs, create the owner USER (or log in as USER when that is
      done already), and optionally make sure one Monogoto entry points at U; print a summary.
  check URL USER PASSWORD --sims FILE
      Assert one loaded Monogoto entry whose SIM devices are exactly those of FILE (JSON: thing
      id to device name, written by the browser test), and whose entities all belong to its
      devices (none left behind by SIMs taken out in the options): the browser test's cross-check.

Everything it talks to is the Home Assistant on the given (loopback) URL.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import sys
import tempfile
import time
from typing import Any

import aiohttp

DOMAIN = "monogoto"
TIMEOUT = aiohttp.ClientTimeout(total=30)


def log(message: str) -> None:
    """Write one progress line to stderr."""
    sys.stderr.write(f"[hass_helper] {message}\n")
    sys.stderr.flush()


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, delete=False, encoding="utf-8"
    ) as tmp:
        json.dump(data, tmp, indent=2)
    Path(tmp.name).replace(path)


def seed(config_dir: Path, port: int) -> None:
    """Write ``.storage/http`` (always, so the port follows PORT) and, once, ``.storage/onboarding``."""
    import homeassistant  # noqa: F401 - installs the voluptuous shim first
    from homeassistant.components.http import config as http_config
    from homeassistant.components.onboarding import (
        STORAGE_VERSION as ONBOARDING_VERSION,
    )
    from homeassistant.components.onboarding.const import STEP_USER, STEPS

    storage = config_dir / ".storage"
    stable = http_config.HTTP_STORAGE_SCHEMA(
        {"server_host": ["127.0.0.1"], "server_port": port}
    ) | {
        # Failed logins (the browser test types a wrong *Monogoto* password, not this one,
        # but a typo here must not ban 127.0.0.1 either).
        "login_attempts_threshold": -1,
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    _write_json(
        storage / "http",
        {
            "version": http_config.STORAGE_VERSION,
            "minor_version": http_config.STORAGE_MINOR_VERSION,
            "key": "http",
            "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
        },
    )
    onboarding = storage / "onboarding"
    if not onboarding.exists():
        _write_json(
            onboarding,
            {
                "version": ONBOARDING_VERSION,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": [step for step in STEPS if step != STEP_USER]},
            },
        )
    log(f"seeded {storage}: HTTP on 127.0.0.1:{port}")


class HomeAssistantClient:
    """Just enough of Home Assistant's REST and websocket APIs."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        """Talk to the Home Assistant at ``base`` (http://127.0.0.1:PORT)."""
        self.session = session
        self.base = base.rstrip("/")
        self.client_id = f"{self.base}/"
        self.redirect_uri = f"{self.base}/?auth_callback=1"
        self.token = ""

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def wait_http(self, deadline: float) -> None:
        """Wait until the HTTP server answers (it starts before the rest is set up)."""
        while True:
            try:
                async with self.session.get(f"{self.base}/manifest.json") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"Home Assistant at {self.base} never answered")
            await asyncio.sleep(0.5)

    async def _token_from_code(self, code: str) -> None:
        async with self.session.post(
            f"{self.base}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        ) as resp:
            resp.raise_for_status()
            self.token = (await resp.json())["access_token"]

    async def onboard_or_login(self, user: str, password: str) -> bool:
        """Create the owner account if onboarding wants one, else log in; True if created."""
        async with self.session.get(f"{self.base}/api/onboarding") as resp:
            # Once every step is done, the onboarding views are not registered (404).
            steps = (
                {s["step"]: s["done"] for s in await resp.json()}
                if resp.status == 200
                else {}
            )
        undone = sorted(step for step, done in steps.items() if not done)
        if undone and undone != ["user"]:
            raise RuntimeError(
                f"onboarding steps {undone} are open: run 'seed' before the first start"
            )
        if undone:
            async with self.session.post(
                f"{self.base}/api/onboarding/users",
                json={
                    "client_id": self.client_id,
                    "name": user.capitalize(),
                    "username": user,
                    "password": password,
                    "language": "en",
                },
            ) as resp:
                resp.raise_for_status()
                await self._token_from_code((await resp.json())["auth_code"])
            return True
        async with self.session.post(
            f"{self.base}/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.redirect_uri,
            },
        ) as resp:
            flow = await resp.json()
        async with self.session.post(
            f"{self.base}/auth/login_flow/{flow['flow_id']}",
            json={"client_id": self.client_id, "username": user, "password": password},
        ) as resp:
            result = await resp.json()
        if result.get("type") != "create_entry":
            raise RuntimeError(
                f"Home Assistant refused the login of {user!r}: {result}"
            )
        await self._token_from_code(result["result"])
        return False

    async def wait_running(self, deadline: float) -> dict[str, Any]:
        """Wait until Home Assistant has finished starting (state RUNNING)."""
        while True:
            async with self.session.get(
                f"{self.base}/api/config", headers=self._auth
            ) as resp:
                config: dict[str, Any] = await resp.json()
            if config.get("state") == "RUNNING":
                return config
            if time.monotonic() > deadline:
                raise TimeoutError(f"Home Assistant still {config.get('state')}")
            await asyncio.sleep(1)

    async def entries(self) -> list[dict[str, Any]]:
        """Return the Monogoto config entries."""
        async with self.session.get(
            f"{self.base}/api/config/config_entries/entry",
            params={"domain": DOMAIN},
            headers=self._auth,
        ) as resp:
            resp.raise_for_status()
            entries: list[dict[str, Any]] = await resp.json()
        return entries

    async def delete_entry(self, entry_id: str) -> None:
        """Remove a config entry."""
        async with self.session.delete(
            f"{self.base}/api/config/config_entries/entry/{entry_id}",
            headers=self._auth,
        ) as resp:
            resp.raise_for_status()

    async def create_entry(self, url: str, user: str, password: str) -> dict[str, Any]:
        """Run the user step of the config flow, as the dialog would."""
        async with self.session.post(
            f"{self.base}/api/config/config_entries/flow",
            json={"handler": DOMAIN, "show_advanced_options": False},
            headers=self._auth,
        ) as resp:
            resp.raise_for_status()
            form = await resp.json()
        async with self.session.post(
            f"{self.base}/api/config/config_entries/flow/{form['flow_id']}",
            json={"username": user, "password": password, "advanced": {"url": url}},
            headers=self._auth,
        ) as resp:
            resp.raise_for_status()
            result: dict[str, Any] = await resp.json()
        if result.get("type") != "create_entry":
            raise RuntimeError(
                f"the Monogoto config flow did not create an entry: {result}"
            )
        return result

    async def wait_loaded(self, deadline: float) -> dict[str, Any]:
        """Wait until exactly one Monogoto entry is loaded; return it."""
        while True:
            entries = await self.entries()
            if len(entries) == 1 and entries[0]["state"] == "loaded":
                return entries[0]
            if time.monotonic() > deadline:
                states = [(e["title"], e["state"]) for e in entries]
                raise TimeoutError(f"Monogoto entries not loaded: {states}")
            await asyncio.sleep(0.5)

    async def _registry(self, kind: str) -> list[dict[str, Any]]:
        """Return every row of the ``device`` or ``entity`` registry (websocket API)."""
        ws_url = self.base.replace("http", "ws", 1) + "/api/websocket"
        async with self.session.ws_connect(ws_url) as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (await ws.receive_json())["type"] != "auth_ok":
                raise RuntimeError("websocket authentication failed")
            await ws.send_json({"id": 1, "type": f"config/{kind}_registry/list"})
            answer = await ws.receive_json()
        rows: list[dict[str, Any]] = answer["result"]
        return rows

    async def devices(self, entry_id: str) -> list[dict[str, Any]]:
        """Return the devices of a config entry."""
        return [
            d for d in await self._registry("device") if entry_id in d["config_entries"]
        ]

    async def entities(self, entry_id: str) -> list[dict[str, Any]]:
        """Return the entity registry entries of a config entry."""
        return [
            e
            for e in await self._registry("entity")
            if e["config_entry_id"] == entry_id
        ]


def stored_url(config_dir: Path | None, entry_id: str) -> str | None:
    """Return the console URL stored in an entry (not exposed by the REST API)."""
    if config_dir is None:
        return None
    try:
        stored = json.loads((config_dir / ".storage/core.config_entries").read_text())
    except FileNotFoundError, ValueError:
        return None
    for entry in stored["data"]["entries"]:
        if entry["entry_id"] == entry_id:
            url: str | None = entry["data"].get("url")
            return url
    return None


def webhook_path(config_dir: Path) -> str | None:
    """Return the path of the Monogoto entry's webhook (its id is in the entry's data)."""
    try:
        stored = json.loads((config_dir / ".storage/core.config_entries").read_text())
    except FileNotFoundError, ValueError:
        return None
    for entry in stored["data"]["entries"]:
        if entry["domain"] == "monogoto" and entry["data"].get("webhook_id"):
            return f"/api/webhook/{entry['data']['webhook_id']}"
    return None


async def onboard(args: argparse.Namespace) -> None:
    """Onboard (or log in), then optionally make sure the Monogoto entry exists."""
    deadline = time.monotonic() + args.timeout
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        ha = HomeAssistantClient(session, args.url)
        await ha.wait_http(deadline)
        created = await ha.onboard_or_login(args.user, args.password)
        log(f"owner {args.user!r} {'created' if created else 'logged in'}")
        config = await ha.wait_running(deadline)
        log(f"Home Assistant {config['version']} is running")
        if not args.monogoto_url:
            return
        entries = await ha.entries()
        for entry in entries:
            if stored_url(args.config, entry["entry_id"]) != args.monogoto_url:
                log(f"removing entry {entry['title']!r}: it points elsewhere")
                await ha.delete_entry(entry["entry_id"])
                entries.remove(entry)
        if not entries:
            await ha.create_entry(
                args.monogoto_url, args.monogoto_user, args.monogoto_password
            )
            log(f"created a Monogoto entry for {args.monogoto_url}")
        entry = await ha.wait_loaded(deadline)
        devices = await ha.devices(entry["entry_id"])
        sims = sum(d["model"] == "SIM" for d in devices)
        log(f"Monogoto entry {entry['title']!r} is loaded: {sims} SIM devices")


async def check(args: argparse.Namespace) -> None:
    """Assert one loaded Monogoto entry with exactly the expected SIM devices."""
    expected: dict[str, str] = json.loads(args.sims.read_text(encoding="utf-8"))
    deadline = time.monotonic() + args.timeout
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        ha = HomeAssistantClient(session, args.url)
        await ha.onboard_or_login(args.user, args.password)
        entry = await ha.wait_loaded(deadline)
        devices = await ha.devices(entry["entry_id"])
        entities = await ha.entities(entry["entry_id"])
    sims = {
        thing_id: device["name_by_user"] or device["name"]
        for device in devices
        if device["model"] == "SIM"
        for domain, thing_id in device["identifiers"]
        if domain == DOMAIN
    }
    if sims != expected:
        raise AssertionError(f"expected the SIM devices {expected}, found {sims}")
    device_ids = {device["id"] for device in devices}
    if stray := [e["entity_id"] for e in entities if e["device_id"] not in device_ids]:
        raise AssertionError(f"{len(stray)} entities without a device: {stray[:5]} ...")
    log(
        f"check: entry {entry['title']!r} loaded; SIM devices exactly"
        f" {', '.join(sorted(sims.values()))} ({len(devices)} devices,"
        f" {len(entities)} entities in all)"
    )


def main() -> None:
    """Parse the command line and run one subcommand."""
    parser = argparse.ArgumentParser(prog="hass_helper.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_seed = sub.add_parser("seed")
    p_seed.add_argument("config", type=Path)
    p_seed.add_argument("port", type=int)
    sub.add_parser("webhook-path").add_argument("config", type=Path)
    for name in ("onboard", "check"):
        p = sub.add_parser(name)
        p.add_argument("url")
        p.add_argument("user")
        p.add_argument("password")
        p.add_argument("--timeout", type=float, default=240.0)
        p.add_argument("--config", type=Path, help="config dir (to read entry data)")
    p_onboard = sub.choices["onboard"]
    p_onboard.add_argument("--monogoto-url")
    p_onboard.add_argument("--monogoto-user", default="demo@example.com")
    p_onboard.add_argument(
        "--monogoto-password", default=os.environ.get("MONOGOTO_PASSWORD")
    )
    sub.choices["check"].add_argument(
        "--sims", type=Path, required=True, help="JSON: thing id to device name"
    )
    args = parser.parse_args()
    try:
        if args.command == "seed":
            seed(args.config, args.port)
        elif args.command == "webhook-path":
            path = webhook_path(args.config)
            if path is None:
                sys.exit(1)
            sys.stdout.write(path + "\n")
        elif args.command == "onboard":
            asyncio.run(onboard(args))
        else:
            asyncio.run(check(args))
    except (TimeoutError, RuntimeError, AssertionError, aiohttp.ClientError) as err:
        log(f"FAILED: {err}")
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Connection settings for the `snowflake` and `emulator` targets, from the same environment variables as
profiles.example.yml, so the command-line helpers reach the warehouse dbt builds in."""

from __future__ import annotations

import os
from typing import Any

EMULATOR_DEFAULT_PORT = 8765
EMULATOR_DEFAULT_DATABASE = "CDP"


class MissingEnvironmentVariable(RuntimeError):
    pass


def _require(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise MissingEnvironmentVariable(f"environment variable {name} is not set (README.md, Snowflake)")
    return value


def connection_params(target: str) -> dict[str, Any]:
    """Keyword arguments for snowflake.connector.connect() (and Snowpark's Session.builder.configs)."""
    if target == "emulator":
        return {
            "account": "emulator",
            "user": "cdp",
            "password": "emulator",
            "database": os.environ.get("CDP_EMULATOR_DATABASE", EMULATOR_DEFAULT_DATABASE),
            "schema": "marts",
            "host": "localhost",
            "port": int(os.environ.get("CDP_EMULATOR_PORT", EMULATOR_DEFAULT_PORT)),
            "protocol": "http",
            "insecure_mode": True,
            "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
        }
    if target != "snowflake":
        raise ValueError(f"unknown Snowflake target {target!r} (snowflake or emulator)")
    params: dict[str, Any] = {
        "account": _require("SNOWFLAKE_ACCOUNT"),
        "user": _require("SNOWFLAKE_USER"),
        "role": _require("SNOWFLAKE_ROLE"),
        "warehouse": _require("SNOWFLAKE_WAREHOUSE"),
        "database": _require("SNOWFLAKE_DATABASE"),
        "schema": os.environ.get("SNOWFLAKE_SCHEMA", "cdp"),
        "session_parameters": {"QUERY_TAG": "cdp_identity:cli"},
    }
    # Key-pair authentication only, as profiles.example.yml (no password sign-in).
    params["private_key_file"] = _require("SNOWFLAKE_PRIVATE_KEY_PATH")
    if os.environ.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"):
        params["private_key_file_pwd"] = os.environ["SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"]
    return params


def connect(target: str):
    import snowflake.connector

    return snowflake.connector.connect(**connection_params(target))

"""A Snowflake emulator on loopback for tests: fakesnow's HTTP server, which the Snowflake connector (and so
dbt-snowflake and Snowpark) talks to with host localhost, protocol http.

Three adjustments to fakesnow's server, about speed and failing fast rather than behaving differently:
- fakesnow rewrites each statement with some 75 sqlglot transforms, each of which deep-copies the statement
  first: 35 s for one 100 kB staging view. The rewrites run in place instead (sqlglot's copy=False), 10x faster;
- fakesnow answers SQL it cannot run with HTTP 500, which the connector retries for minutes; the reply is
  passed on as a normal failed query (status 200 with the error), so the statement fails at once;
- the server ignores SIGTERM while a request is running, so `stop` kills it outright.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def _fail_fast(app):
    async def wrapped(scope, receive, send):
        async def send_200(message):
            if message["type"] == "http.response.start" and message["status"] == 500:
                message = {**message, "status": 200}
            await send(message)

        await app(scope, receive, send_200)

    return wrapped


def _transform_in_place() -> None:
    import functools

    from sqlglot import expressions

    original = expressions.Expression.transform

    @functools.wraps(original)
    def transform(self, fun, *args, copy=True, **kwargs):
        return original(self, fun, *args, copy=False, **kwargs)

    expressions.Expression.transform = transform


def serve(host: str, port: int, state_dir: str | None) -> None:
    """Run the emulator in the foreground. With `state_dir`, databases persist there as DuckDB files."""
    import importlib

    import uvicorn
    from fakesnow.instance import FakeSnow

    server = importlib.import_module("fakesnow.server")  # the module: `fakesnow.server` is also a function
    _transform_in_place()

    if state_dir:
        Path(state_dir).mkdir(parents=True, exist_ok=True)
        server.shared_fs = FakeSnow(db_path=state_dir)
    uvicorn.run(_fail_fast(server.app), host=host, port=port, log_level="warning")


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def start(port: int, pidfile: Path, logfile: Path, state_dir: str | None = None, timeout: float = 60) -> int:
    """Start the emulator in the background; return its PID once it accepts connections."""
    host = "127.0.0.1"
    if _listening(host, port):
        raise RuntimeError(f"port {port} is already in use: stop what listens there or set CDP_EMULATOR_PORT")
    logfile.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "cdp.snowflake.emulator", "--host", host, "--port", str(port)]
    if state_dir:
        command += ["--state-dir", state_dir]
    with logfile.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    pidfile.write_text(f"{process.pid}\n")
    deadline = time.monotonic() + timeout
    while not _listening(host, port):
        if process.poll() is not None:
            raise RuntimeError(f"the emulator exited with {process.returncode}; see {logfile}")
        if time.monotonic() > deadline:
            stop(pidfile)
            raise RuntimeError(f"the emulator did not listen on port {port} within {timeout:.0f} s; see {logfile}")
        time.sleep(0.2)
    return process.pid


def stop(pidfile: Path) -> bool:
    """Kill the emulator started by `start` (SIGKILL: it ignores SIGTERM mid-request). False if none ran."""
    if not pidfile.exists():
        return False
    pid = int(pidfile.read_text().strip())
    pidfile.unlink()
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


# --- dbt on the emulator ------------------------------------------------------------------------------------
# dbt-snowflake runs a Python model as a stored procedure inside Snowflake: it compiles the model into a script
# with a `main(session)` handler and sends it in a CALL. The emulator has no Python runtime, so `run_dbt` runs
# that same script here, in this process, with a Snowpark session on dbt's own connection (as the procedure
# runs as the caller, in the caller's session). Everything else, SQL models, tests, the incremental merge of a
# Python model's result, goes to the emulator as it would to Snowflake. Two Snowpark calls the emulator lacks
# are replaced while it runs: `write_pandas` (the connector's file-transfer protocol) loads through PUT and
# COPY INTO a table stage, and temporary tables become transient, as for SQL models (macros/snowflake).


def _is_emulator(credentials) -> bool:
    return (getattr(credentials, "host", None) or "") in ("localhost", "127.0.0.1")


def _write_pandas_through_stage(session, df, table_name, *, database=None, schema=None, **_options):
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    from cdp.snowflake.load import load_file

    database = (database or session.get_current_database()).strip('"')
    schema = (schema or session.get_current_schema()).strip('"')
    table_name = table_name.strip('"')
    table = pa.Table.from_pandas(df, preserve_index=False)
    untyped = [field.name for field in table.schema if pa.types.is_null(field.type)]
    if untyped:
        # Snowflake's write_pandas types a new table from the Parquet file, where such a column has no type: refuse
        # it here rather than invent one (a model's result carries its declared schema: cdp.identity.relations).
        raise TypeError(f"emulator: write_pandas of {table_name} got columns with no value and no type, whose type "
                        f"Snowflake would have to guess: {untyped}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{table_name}.parquet"
        pq.write_table(table, path)
        load_file(session.connection.cursor(), path, database, schema, table_name)
    return session.table([database, schema, table_name])


def _submit_python_job_locally(adapter, parsed_model: dict, compiled_code: str):
    from dbt.adapters.snowflake.adapter_response import SnowflakeAdapterResponse
    from snowflake.snowpark import Session

    config = parsed_model["config"]
    print(f"emulator: running Python model {parsed_model['unique_id']} in this process "
          f"(Snowflake would run it with packages {config.get('packages', [])}, imports {config.get('imports', [])})",
          flush=True)
    connection = adapter.connections.get_thread_connection().handle
    session = Session.builder.configs({"connection": connection}).create()
    session.write_pandas = lambda df, table_name, **options: _write_pandas_through_stage(
        session, df, table_name, **options)
    code = compiled_code.replace("table_type='temporary'", "table_type='transient'")
    namespace: dict = {"__name__": f"dbt_python_model_{parsed_model['alias']}"}
    exec(compile(code, parsed_model["original_file_path"], "exec"), namespace)  # noqa: S102 - dbt's compiled model
    message = namespace["main"](session)
    _record_result_types(session, parsed_model, code)
    return SnowflakeAdapterResponse(_message=str(message))


RESULT_TYPES_ENV = "CDP_EMULATOR_RESULT_TYPES"


def _record_result_types(session, parsed_model: dict, code: str) -> None:
    """With CDP_EMULATOR_RESULT_TYPES naming a file, append the column types of the table a Python model just wrote
    (its table on a first or full run, its `__dbt_tmp` table on an incremental run) as one JSON line: what
    tests/python/test_snowflake_emulator.py checks against the declared schemas."""
    import json
    import re

    out = os.environ.get(RESULT_TYPES_ENV)
    written = re.search(r"save_as_table\('([^']+)'", code)
    if not out or written is None:
        return
    relation = written.group(1)
    rows = session.sql(f"describe table {relation}").collect()
    count = session.sql(f"select count(*) from {relation}").collect()[0][0]
    record = {"model": parsed_model["name"], "relation": relation,
              "incremental": relation.strip('"').lower().endswith("__dbt_tmp"), "rows": int(count),
              "columns": {row[0].lower(): row[1].lower() for row in rows}}
    with open(out, "a") as log:
        log.write(json.dumps(record) + "\n")


def run_dbt(dbt_args: list[str]) -> int:
    """Run dbt with the given arguments; Python models run locally when the target is the emulator."""
    from dbt.adapters.snowflake import SnowflakeAdapter
    from dbt.cli.main import dbtRunner

    original = SnowflakeAdapter.submit_python_job

    def submit_python_job(self, parsed_model, compiled_code):
        if not _is_emulator(self.config.credentials):
            return original(self, parsed_model, compiled_code)
        return _submit_python_job_locally(self, parsed_model, compiled_code)

    SnowflakeAdapter.submit_python_job = submit_python_job
    try:
        outcome = dbtRunner().invoke(dbt_args)
    finally:
        SnowflakeAdapter.submit_python_job = original
    if outcome.exception is not None:
        print(f"dbt failed: {outcome.exception}", file=sys.stderr)
        return 2
    return 0 if outcome.success else 1


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Run the Snowflake emulator in the foreground.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--state-dir", default=None)
    args = parser.parse_args()
    serve(args.host, args.port, args.state_dir)

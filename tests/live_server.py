"""Run the real `loomline serve` in a subprocess on a free loopback port (tests and benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
# Generous: on a loaded 2-CPU machine importing the app alone has taken over 20 s.
STARTUP_TIMEOUT_SECONDS = 90.0


class ServerFailed(RuntimeError):
    """The server exited or never answered; the message ends with its log."""


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(log_path: Path, lines: int = 40) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"server exited with {process.returncode} before answering:\n{_log_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise ServerFailed(f"server did not answer /healthz within {STARTUP_TIMEOUT_SECONDS:.0f} s:\n{_log_tail(log_path)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def running_server(database_url: str, log_path: Path) -> Iterator[str]:
    """`loomline serve` against ``database_url`` for the duration; yields its base URL.

    The URL goes to the server unchanged (a PostgreSQL ``options=`` query is already encoded);
    the issuer is the loopback base URL, so tokens carry ``iss`` = that URL.
    """
    port = free_loopback_port()
    base_url = f"http://127.0.0.1:{port}"
    env = os.environ | {"LOOMLINE_DATABASE_URL": database_url, "LOOMLINE_ISSUER": base_url}
    env.pop("LOOMLINE_AUDIENCE", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module, no shell)
            [sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(process, base_url, log_path)
        yield base_url
    finally:
        _stop(process)

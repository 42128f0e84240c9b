"""A bounded load test on 127.0.0.1: 5,000 votes from 50 concurrent clients, spread over three
collector processes (`python -m collector serve`) writing to one database, SQLite and
PostgreSQL. A quarter of the votes are a No followed by its reason under the same id, sent to
another process. Every vote must be counted exactly once; the whole run has a deadline so a
stuck writer fails the test instead of hanging it.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.test_collector import (
    SITE_ORIGIN,
    START_TIMEOUT,
    call,
    database_url,
    free_port,
    postgres,
    vote,
)

__all__ = ["database_url", "postgres"]  # fixtures shared with tests/test_collector.py

PROCESSES = 3
CLIENTS = 50
VOTES_PER_CLIENT = 100
DEADLINE = 300.0  # seconds for the whole run
PAGES = [f"https://help.lumen-cloud.example/kb/{n}-1/" for n in range(1, 6)]


@pytest.fixture
def collectors(database_url: str) -> Iterator[list[int]]:
    """Ports of PROCESSES collector processes sharing one database."""
    ports = [free_port() for _ in range(PROCESSES)]
    processes = []
    for port in ports:
        env = dict(
            os.environ,
            COLLECTOR_DATABASE=database_url,
            COLLECTOR_PORT=str(port),
            COLLECTOR_ALLOWED_ORIGINS=SITE_ORIGIN,
            COLLECTOR_TRUST_PROXY="1",
            COLLECTOR_RATE_LIMIT="600",
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "collector", "serve"],
                cwd=ROOT,
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_until_up(port, process)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
            if process.stderr:
                process.stderr.close()


def wait_until_up(port: int, process: subprocess.Popen[str]) -> None:
    """Until the collector answers /health. The process logs nothing once it listens, so it is
    asked; between two questions the test waits on the process itself, which ends the wait the
    moment the process dies."""
    deadline = time.monotonic() + START_TIMEOUT
    pause = 0.01
    while True:
        try:
            if call(f"http://127.0.0.1:{port}/health").status == 200:
                return
        except OSError:
            pass  # not listening yet
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"collector on port {port} did not start within {START_TIMEOUT} s")
        try:
            process.wait(timeout=min(pause, left))
        except subprocess.TimeoutExpired:
            pause = min(pause * 2, 0.5)
            continue
        output = process.stderr.read() if process.stderr else ""
        pytest.fail(f"collector on port {port} exited: {output}")


def client_run(
    number: int,
    ports: list[int],
    expected: Counter[tuple[str, bool]],
    problems: list[str],
    lock: threading.Lock,
) -> None:
    """One reader's browser: VOTES_PER_CLIENT votes, each No followed by its reason."""
    connections = {
        port: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports
    }
    headers = {
        "Content-Type": "application/json",
        "Origin": SITE_ORIGIN,
        "X-Forwarded-For": f"10.0.{number // 250}.{number % 250 + 1}",
    }
    mine: Counter[tuple[str, bool]] = Counter()

    def send(port: int, record: dict[str, Any]) -> None:
        connection = connections[port]
        connection.request("POST", "/votes", json.dumps(record), headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 202:
            problems.append(f"client {number}: {response.status} {body!r}")

    try:
        for index in range(VOTES_PER_CLIENT):
            page = PAGES[(number + index) % len(PAGES)]
            helpful = index % 4 != 0
            record = vote(
                id=uuid.uuid4().hex,
                page=page,
                helpful=helpful,
                reason=None,
                sent_at="2026-03-16T09:41:07.000Z",
            )
            send(ports[(number + index) % len(ports)], record)
            if not helpful:
                with_reason = dict(
                    record, reason="numbers-mismatch", sent_at="2026-03-16T09:41:09.000Z"
                )
                send(ports[(number + index + 1) % len(ports)], with_reason)
            mine[(page, helpful)] += 1
    except (OSError, http.client.HTTPException) as error:
        problems.append(f"client {number}: {error!r}")
    finally:
        for connection in connections.values():
            connection.close()
        with lock:
            expected.update(mine)


def test_5000_votes_from_50_clients_through_three_processes_are_each_counted_once(
    collectors: list[int],
) -> None:
    expected: Counter[tuple[str, bool]] = Counter()
    problems: list[str] = []
    lock = threading.Lock()
    clients = [
        threading.Thread(
            target=client_run, args=(n, collectors, expected, problems, lock), daemon=True
        )
        for n in range(CLIENTS)
    ]
    deadline = time.monotonic() + DEADLINE
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(client.is_alive() for client in clients), f"not done within {DEADLINE} s"
    assert problems == []
    assert sum(expected.values()) == CLIENTS * VOTES_PER_CLIENT == 5000

    counts = call(f"http://127.0.0.1:{collectors[0]}/counts").json()["pages"]
    want = {
        "/" + page.split("/", 3)[3]: {
            "helpful": expected[(page, True)],
            "not_helpful": expected[(page, False)],
        }
        for page in PAGES
    }
    assert counts == want
    assert sum(c["helpful"] + c["not_helpful"] for c in counts.values()) == 5000
    # Every process answers from the same database.
    for port in collectors[1:]:
        assert call(f"http://127.0.0.1:{port}/counts").json()["pages"] == want

"""The local host's queue triggers on Azurite, as the Functions host runs them: a job is
handed over decoded and deleted once its function returns; one that keeps failing moves
to the poison queue; a function running longer than its message's lease keeps it (the
lease is renewed); a host that dies mid-run leaves its message to reappear once the lease
is over (the crash suite, tests/crash, kills real hosts for that)."""

from __future__ import annotations

import base64
import secrets
import time
from pathlib import Path

import pytest
from azure.functions import QueueMessage
from azure.storage.queue import QueueClient

from localhost.functions import QueueFunction
from localhost.invoke import Invoker
from localhost.queues import QueueRunner, QueueSettings
from tests.support.waiting import until


@pytest.fixture
def queue(azurite):
    client = QueueClient.from_connection_string(azurite.connection_string, "q" + secrets.token_hex(6))
    client.create_queue()
    return client


def runner(azurite, queue, job, **settings) -> QueueRunner:
    function = QueueFunction("worker", job, "msg", queue_name=queue.queue_name, connection="AzureWebJobsStorage")
    return QueueRunner([function], Invoker(Path.cwd()), QueueSettings(max_polling_interval=0.2, **settings),
                       env={"AzureWebJobsStorage": azurite.connection_string})


def put(queue, text: str) -> None:
    queue.send_message(base64.b64encode(text.encode()).decode())


def test_a_job_is_handed_over_decoded_and_deleted_when_its_function_returns(azurite, queue):
    seen: list[tuple[bytes, int]] = []

    def job(msg: QueueMessage) -> None:
        seen.append((msg.get_body(), msg.dequeue_count))

    running = runner(azurite, queue, job)
    running.start()
    put(queue, '{"kind": "send"}')
    until(lambda: seen)
    running.stop()
    assert seen == [(b'{"kind": "send"}', 1)]
    assert queue.get_queue_properties().approximate_message_count == 0


def test_a_job_that_keeps_failing_moves_to_the_poison_queue(azurite, queue):
    tries = []

    def job(msg: QueueMessage) -> None:
        tries.append(msg.dequeue_count)
        raise RuntimeError("always")

    poison = QueueClient.from_connection_string(azurite.connection_string, f"{queue.queue_name}-poison")
    running = runner(azurite, queue, job, max_dequeue_count=3)
    running.start()
    put(queue, "doomed")
    until(lambda: poison.get_queue_properties().approximate_message_count == 1 if tries[2:] else False)
    running.stop()
    assert tries == [1, 2, 3]


def test_a_function_running_longer_than_the_lease_keeps_its_message(azurite, queue):
    runs = []

    def job(msg: QueueMessage) -> None:
        runs.append(msg.dequeue_count)
        time.sleep(3.5)  # the lease is 2 s: renewed at 1 s, 2 s, 3 s

    running = runner(azurite, queue, job, lease=2.0)
    running.start()
    put(queue, "slow")
    until(lambda: runs)
    time.sleep(2.5)
    assert list(queue.receive_messages(visibility_timeout=1)) == []  # another host finds nothing to take
    time.sleep(1.5)
    running.stop()
    assert runs == [1] and queue.get_queue_properties().approximate_message_count == 0

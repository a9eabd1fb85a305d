import pytest

from core.status import supersedes


@pytest.mark.parametrize("current,new,moves", [
    (None, "queued", True), ("sending", "queued", True), ("queued", "sent", True), ("sent", "delivered", True),
    ("delivered", "read", True), ("sent", "read", True), ("read", "sent", False), ("delivered", "sent", False), ("delivered", "failed", False),
    ("failed", "delivered", False), ("undelivered", "queued", False), ("read", "delivered", False),
    ("Delivered", "SENT", False), ("sent", "Delivered", True), ("delivered", "mystery", False),
    ("failed", "read", False), ("Undelivered", "read", False), ("expired", "READ", False),  # a failure stays
])
def test_status_never_regresses(current, new, moves):
    assert supersedes(new, current) is moves

from storage.cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire():
    clock, loads = Clock(), []
    cache: TtlCache[int] = TtlCache(30, clock)
    load = lambda: loads.append(1) or len(loads)  # noqa: E731
    assert cache.get("a", load) == 1 and cache.get("a", load) == 1
    clock.now = 31
    assert cache.get("a", load) == 2


def test_size_is_bounded_expired_first_then_oldest():
    clock = Clock()
    cache: TtlCache[str] = TtlCache(30, clock, size=4)
    for key in "abcd":
        cache.get(key, lambda k=key: k)
    clock.now = 10
    for key in "efgh":
        cache.get(key, lambda k=key: k)
    assert len(cache._items) <= 4
    assert "h" in cache._items and "a" not in cache._items

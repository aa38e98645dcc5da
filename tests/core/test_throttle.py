from __future__ import annotations

from drugscene.core import throttle
from drugscene.core.models import Throttle


def test_hits_are_counted_per_key_and_limited(db) -> None:
    key = throttle.client_key("tip", "192.0.2.1")
    assert "192.0.2.1" not in key
    results = [throttle.hit(key, limit=2, window_seconds=3600) for _ in range(4)]
    assert results == [True, True, False, False]
    other = throttle.client_key("tip", "192.0.2.2")
    assert throttle.hit(other, limit=2, window_seconds=3600)
    assert throttle.count(key, window_seconds=3600) == 4
    throttle.reset(key, window_seconds=3600)
    assert throttle.count(key, window_seconds=3600) == 0
    assert not Throttle.objects.filter(key__contains="192.0.2").exists()

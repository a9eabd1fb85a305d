"""Moving the inbox index from the layout deployments kept before December 2026 (a
partition per state of each list: storage/earlier_inbox.py) to the one of storage/inbox.py.

The distribution timer runs it after its jobs on every run until the earlier layout is empty,
then never again in that process: once it is done, one point read per process. Each
conversation the earlier layout lists is placed as the writer places a move (its rows
written, then read back and placed again as it is now if a commit moved it meanwhile, or
removed if it is gone), then its earlier rows are deleted, its row of every state last, so
a run that stops is taken up by the next. Lists show a conversation from the earlier
layout once its turn came: the live ones first (distribution offers those waiting in a
queue once they are moved), newest first. Erasure looks in the earlier layout too until
it is done (storage/purge.py).

Then, the same way, search and fact rows kept before where a move now writes them in the
batches it sends anyway (storage/relocation.py): up to ROWS_PER_RUN a run.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from conversations.messaging.writer import Writer
from core.inbox import EarlierLists, EarlierPlaces
from core.ports import Workstreams
from core.records import Conversation

log = logging.getLogger(__name__)

PER_RUN = 400  # conversations moved per timer run (every 10 s), at most: a few seconds' work
PAGE = 200
PARALLEL = 8
ROWS_PER_RUN, ROWS_PAGE = 2000, 100


class InboxUpgrade:
    def __init__(self, *, earlier: EarlierLists, places: EarlierPlaces, writer: Writer,
                 workstreams: Workstreams) -> None:
        self._earlier = earlier
        self._places = places
        self._writer = writer
        self._workstreams = workstreams

    def run(self) -> int:
        """Move up to PER_RUN conversations of the earlier layout, then, once it is moved,
        up to ROWS_PER_RUN search and fact rows; how many of both it moved."""
        if self._places.finished():  # the last step: once it is done, so is every other
            return 0
        moved = 0 if self._earlier.finished() else self._move_earlier()
        return moved + (self._relocate() if self._earlier.finished() else 0)

    def _move_earlier(self) -> int:
        moved = 0
        while moved < PER_RUN:
            found = self._earlier.remaining(PAGE)
            if not found:
                left = self._earlier.clear(w.id for w in self._workstreams.list())
                log.info("inbox index: the earlier layout is moved (%d rows left behind deleted)", left)
                break
            with ThreadPoolExecutor(PARALLEL, thread_name_prefix="upgrade") as pool:
                list(pool.map(self._move, found))
            moved += len(found)
        if moved:
            log.info("inbox index: %d conversations moved from the earlier layout", moved)
        return moved

    def _move(self, conversation: Conversation) -> None:
        self._writer.adopt(conversation)
        self._earlier.retire(conversation)

    def _relocate(self) -> int:
        moved = 0
        while moved < ROWS_PER_RUN:
            page = self._places.move(ROWS_PAGE)
            if not page:
                break
            moved += page
        if moved:
            log.info("inbox index: %d search and fact rows moved to where they are kept now", moved)
        return moved

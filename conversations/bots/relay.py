"""The bot stage over Direct Line: each customer message relayed to the workstream's bot
once, the bot's activities read right after and sent to the customer once each, and a
``bot|<conversation>`` timers row, only while a customer message waits for the bot's
answer, to read late answers and hand off when the bot stays silent.

Once: ingest relays a message only when it stored it (a provider's retry collides on its
marker first); a bot reply is sent through the outbox under an id made of its activity id
and part, so reading the same activities again stores and sends nothing twice; the
watermark is committed after the sends. An instance that dies before relaying leaves the
timers row, and a bot that never answered hands the conversation to its queue.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from conversations.bots import stage as bot_stage
from conversations.bots.media import BotMedia
from conversations.messaging.lookup import Lookup
from conversations.messaging.outbox import Outbox
from conversations.messaging.writer import Writer
from conversations.reactions import Reactions
from conversations.service_levels.queues import QueueWatch
from core.bots import BOT, BOT_REMOVED, BY_BOT, BY_TIMEOUT, HANDOFF_EVENT, Activity, BotSession, BotSettings
from core.clock import Clock
from core.errors import SwitchboardError
from core.ids import thread_of
from core.ports import Contacts, Deadline, Deadlines, DirectLine, Threads
from core.records import CLOSED, HANDED_OFF, Conversation, Event, Message, Workstream
from core.retry import until_committed

log = logging.getLogger(__name__)

JOB = "bot"
POLL = timedelta(seconds=10)  # how often a waiting conversation's activities are read again


def job_key(conversation_id: str) -> str:
    return f"{JOB}|{conversation_id}"


class Bots:
    def __init__(self, *, threads: Threads, writer: Writer, reactions: Reactions, lookup: Lookup, outbox: Outbox,
                 directline: DirectLine, timers: Deadlines, contacts: Contacts, media: BotMedia, queues: QueueWatch,
                 clock: Clock, base_url: str | None = None) -> None:
        """``base_url``: the public URL the timer's sends name in their status callbacks."""
        self._base_url = base_url
        self._queues = queues  # a conversation handed off arrives in its queue
        self._media = media
        self._threads = threads
        self._writer = writer
        self._reactions = reactions
        self._lookup = lookup
        self._outbox = outbox
        self._directline = directline
        self._timers = timers
        self._contacts = contacts
        self._clock = clock

    def wait(self, conversation_id: str, now: datetime) -> None:
        """The timers row of a wait for the bot, written before the message that starts it."""
        self._timers.schedule(job_key(conversation_id), now + POLL)

    def relay(self, conversation: Conversation, message: Message, workstream: Workstream,
              base_url: str | None) -> None:
        """Post a stored customer message to the bot, then read what it answered. Never
        fails the webhook: the timers row reads again, or hands off."""
        bot, language = workstream.bot, workstream.settings.language
        try:
            dl_id, context = conversation.bot.conversation_id if conversation.bot else None, None
            if dl_id is None:
                dl_id, context = self._start(conversation, bot, language)
            links = self._media.links(f"{base_url}/api" if base_url else None, conversation, message)
            activity = bot_stage.customer_activity(conversation, message, language, links, context)
            self._directline.post(bot.secret, dl_id, activity)
            log.info("message %s relayed to the bot of conversation %s", message.id, conversation.id)
            self._read(conversation, bot, dl_id, base_url)
        except SwitchboardError as exc:
            log.warning("relaying message %s of conversation %s failed (%s); left to the timer", message.id,
                        conversation.id, exc.code)

    def due(self, job: Deadline) -> None:
        """A ``bot|`` row: read late answers; hand off once the bot stayed silent too long."""
        conversation_id = job.key.split("|", 1)[1]
        current = self._threads.current(conversation_id)
        workstream = self._lookup.workstream_of(current) if current else None
        if current is None or current.stage != BOT or current.state == CLOSED:
            self._timers.remove(job)
            return
        bot = workstream.bot if workstream else None
        dl_id = current.bot.conversation_id if current.bot else None
        if bot is not None and dl_id:
            try:
                current = self._read(current, bot, dl_id, self._base_url) or current
            except SwitchboardError as exc:  # Direct Line down counts as a silent bot
                log.warning("reading the bot of conversation %s failed (%s)", conversation_id, exc.code)
        since = current.bot.waiting_since if current.bot and current.stage == BOT else None
        if since is None:
            self._timers.remove(job)
            return
        timeout = timedelta(seconds=bot.answer_timeout_seconds if bot else 0)
        now = self._clock()
        if now >= since + timeout:
            self.hand_off(conversation_id, BY_TIMEOUT if bot else BOT_REMOVED)
            self._timers.remove(job)
            return
        self._timers.move(job, min(now + POLL, since + timeout))

    def hand_off(self, conversation_id: str, reason: str, activity: Activity | None = None) -> Conversation | None:
        """Out of the bot stage into its queue (the writer's move offers it to an agent)."""
        summary, context, transcript = bot_stage.handoff_of(activity) if activity else (None, {}, ())

        def attempt() -> tuple[Conversation | None, bool]:
            head = self._threads.read_head(thread_of(conversation_id))
            c = head.conversation if head else None
            if c is None or c.id != conversation_id or c.stage != BOT or c.state == CLOSED:
                return c, False
            now = self._clock()
            event = Event(conversation_id, head.seq + 1, now, HANDED_OFF, None, reason)
            handed = bot_stage.handed_off(c, reason, now, summary, context, transcript)
            return self._reactions.after(self._writer.commit(thread_of(conversation_id), head, handed, event.seq,
                                                             events=[event])).conversation, True

        handed, now_handed = until_committed(attempt, "hand off")
        log.info("conversation %s handed off by its bot stage (%s)", conversation_id, reason)
        workstream = self._lookup.workstream_of(handed) if handed is not None and now_handed else None
        if workstream is not None:
            self._queues.arrived(handed, workstream, self._base_url)
        return handed

    def _start(self, conversation: Conversation, bot: BotSettings, language: str) -> tuple[str, dict | None]:
        """Open the Direct Line conversation and keep its id on the head (when another
        instance kept one first, that one is used); the one that opened it sends the
        greeting event, and answers the context for the first message to carry."""
        dl_id = self._directline.start(bot.secret)

        def attempt() -> str:
            head = self._threads.read_head(thread_of(conversation.id))
            c = head.conversation if head else None
            if c is None or c.id != conversation.id:
                return dl_id
            if c.bot and c.bot.conversation_id:
                return c.bot.conversation_id
            kept = replace(c, bot=replace(c.bot or BotSession(), conversation_id=dl_id))
            self._reactions.after(self._writer.commit(thread_of(c.id), head, kept, head.seq))
            return dl_id

        kept = until_committed(attempt, "start the bot conversation")
        if kept != dl_id:
            return kept, None
        contact = self._contacts.get(conversation.contact_id) if conversation.contact_id else None
        context = bot_stage.context_of(conversation, bot, contact, language)
        if bot.greeting_event:
            self._directline.post(bot.secret, dl_id, bot_stage.greeting_activity(conversation, bot.greeting_event,
                                                                                 context, language))
        return dl_id, context

    def _read(self, current: Conversation, bot: BotSettings, dl_id: str, base_url: str | None) -> Conversation | None:
        """Read the activities after ``current``'s watermark (as just read or committed; an
        older one only reads again what the outbox sends once), send the bot's replies, act
        on a handoff event, then keep the new watermark."""
        conversation_id = current.id
        activities, watermark = self._directline.activities(bot.secret, dl_id, current.bot.watermark)
        if not activities and watermark == current.bot.watermark:  # nothing new: nothing written
            return current
        ours = bot_stage.user_id(conversation_id)
        answered, handoff = False, None
        for activity in activities:
            if activity.from_id == ours:  # what the customer said: answered only by what follows
                answered = False
            elif activity.type == "message":
                answered = self._send(current, activity, base_url) or answered
            elif activity.type == "event" and activity.name == HANDOFF_EVENT:
                handoff = activity
        if handoff is not None:
            return self.hand_off(conversation_id, BY_BOT, handoff)
        return self._keep(conversation_id, watermark, answered)

    def _send(self, conversation: Conversation, activity: Activity, base_url: str | None) -> bool:
        parts = bot_stage.replies(activity, conversation.provider, conversation.channel)
        offered = bot_stage.offered(activity, parts, conversation.provider, conversation.channel)
        for index, (body, media) in enumerate(parts):
            self._outbox.from_bot(conversation.id, f"{activity.id}|{index}", body, media, base_url, index == 0,
                                  offered if index == len(parts) - 1 else None)
        return bool(parts)

    def _keep(self, conversation_id: str, watermark: str | None, answered: bool) -> Conversation | None:
        def attempt() -> Conversation | None:
            head = self._threads.read_head(thread_of(conversation_id))
            c = head.conversation if head else None
            if c is None or c.id != conversation_id or c.stage != BOT or c.bot is None:
                return c
            session = replace(c.bot, watermark=watermark, waiting_since=None if answered else c.bot.waiting_since)
            if session == c.bot:
                return c
            return self._reactions.after(self._writer.commit(thread_of(c.id), head, replace(c, bot=session),
                                                             head.seq)).conversation

        return until_committed(attempt, "keep the watermark")

"""What the crash suite asks of the hosts while they are killed: customers writing through
every provider (a Twilio SMS number with an automated greeting, a Twilio number with a
bot, TeleSign, ACS SMS and ACS WhatsApp), agents accepting, declining, ignoring offers
(they lapse), answering, sending templates, parking, transferring and closing, a
supervisor assigning, proactive batches, and an erasure; the timers (the sweep, the
distribution's, the customer-data timer) run in the hosts all along. Every choice comes
from one seeded generator per actor, so a seed replays the same asks."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.identity import ADMIN, AGENT, SUPERVISOR
from core.records import Account
from localhost.easyauth import object_id_of
from localhost.simulate import acs as sim_acs
from localhost.simulate import telesign as sim_telesign
from localhost.simulate import twilio as sim_twilio
from localhost.simulate.delivery import Delivery, Options
from localhost.simulate.target import Target
from tests.support.crash.fleet import Caller, Ledger

AGENTS = ("ada", "bob", "cy")
SUPERVISOR_NAME = "sue"
TEMPLATE = {"name": "order_update", "language": "en_US", "text": "Hi {{1}}, your order {{2}} has shipped."}


@dataclass(frozen=True)
class Customer:
    name: str
    provider: str  # the simulator's: twilio, telesign or acs
    account: Account
    address: str
    business: str
    quiet_after: int = 0  # messages it writes before it falls silent (0: it writes all along)

    def message(self, public_url: str, provider_id: str, body: str) -> Delivery:
        """Signed for the app's public URL, as a provider signs it, whichever host it reaches."""
        target = Target(self.account, public_url, public_url, None)  # type: ignore[arg-type] - no Entra auth here
        options = Options(from_=self.address, to=self.business, body=body, id=provider_id)
        return {"twilio": sim_twilio, "telesign": sim_telesign, "acs": sim_acs}[self.provider].message(target, options)


@dataclass
class World:
    workstreams: dict[str, str] = field(default_factory=dict)  # name -> id
    whatsapp: set[str] = field(default_factory=set)  # workstream ids that send templates
    customers: list[Customer] = field(default_factory=list)
    public_url: str = ""  # PUBLIC_BASE_URL: what providers sign and send callbacks to
    erased: Customer | None = None
    erasure_id: str | None = None
    twilio_account: Account | None = None


class Actors:
    """The threads of the workload; ``stop`` ends their asking (what is in flight finishes)."""

    def __init__(self, caller_for: Callable[[random.Random], Caller], ledger: Ledger, world: World, seed: str) -> None:
        self._caller_for = caller_for
        self._ledger = ledger
        self._world = world
        self._seed = seed
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _spawn(self, name: str, run: Callable[[random.Random, Caller], None]) -> None:
        rng = random.Random(f"{self._seed}|{name}")
        thread = threading.Thread(target=run, args=(rng, self._caller_for(rng)), name=f"crash-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def start(self) -> None:
        for customer in self._world.customers:
            self._spawn(customer.name, lambda rng, caller, c=customer: self._customer(rng, caller, c))
        for agent in AGENTS:
            self._spawn(agent, lambda rng, caller, a=agent: self._agent(rng, caller, a))
        self._spawn(SUPERVISOR_NAME, self._supervisor)
        self._spawn("proactive", self._proactive)
        self._spawn("eraser", self._eraser)

    def join(self, timeout: float) -> list[str]:
        """Wait for every actor to finish what it asked; the names of those still asking."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [t.name for t in self._threads if t.is_alive()]

    def _customer(self, rng: random.Random, caller: Caller, customer: Customer) -> None:
        written = 0
        while not self.stop.is_set() and not (customer is self._world.erased and self._world.erasure_id is not None):
            written += 1
            provider_id = _provider_id(customer, rng)
            body = "agent please" if customer.name.startswith("bot") and written % 3 == 0 else \
                f"{customer.name} #{written}"  # the stand-in bot hands "agent please" off
            answer = caller.deliver(lambda _base: customer.message(self._world.public_url, provider_id, body))
            if answer is not None and answer.status_code < 300:
                self._ledger.add("inbound", (customer.account.provider, provider_id, customer.address))
            if customer is self._world.erased and written >= 2:
                return  # its erasure comes once it has stopped writing
            if customer.quiet_after and written >= customer.quiet_after:
                return  # its conversation falls idle: the sweep closes it
            self.stop.wait(rng.uniform(1.0, 4.0))

    def _agent(self, rng: random.Random, caller: Caller, name: str) -> None:
        while not self.stop.is_set():
            seen = caller.api(name, (AGENT,), "GET", "/me/changes?wait=0")
            if seen is None or seen.status_code != 200:
                continue
            for offer in seen.json().get("offers", []):
                self._offered(rng, caller, name, offer)
            mine = seen.json().get("mine", [])
            if mine and rng.random() < 0.8:
                self._work(rng, caller, name, rng.choice(mine))
            self.stop.wait(rng.uniform(0.2, 0.8))

    def _offered(self, rng: random.Random, caller: Caller, name: str, offer: dict[str, Any]) -> None:
        pick = rng.random()
        if pick < 0.75:
            self._act(caller, name, offer["id"], "accept")
        elif pick < 0.9:
            self._act(caller, name, offer["id"], "decline")
        # else: ignored, and it lapses

    def _work(self, rng: random.Random, caller: Caller, name: str, conversation: dict[str, Any]) -> None:
        cid, pick = conversation["id"], rng.random()
        if pick < 0.6:
            self._send(caller, name, cid, "messages", {"body": f"{name} answers ({rng.getrandbits(32):08x})"}, rng)
        elif pick < 0.7 and conversation.get("workstream_id") in self._world.whatsapp:
            self._send(caller, name, cid, "template", {"name": TEMPLATE["name"], "language": TEMPLATE["language"],
                                                        "parameters": [name, f"#{rng.randrange(1000)}"]}, rng)
        elif pick < 0.78:
            other = rng.choice([a for a in AGENTS if a != name])
            self._act(caller, name, cid, "transfer", {"agent_id": object_id_of(other)})
        elif pick < 0.83:
            self._act(caller, name, cid, "wait")
        elif pick < 0.95:
            self._act(caller, name, cid, "close")

    def _send(self, caller: Caller, name: str, cid: str, route: str, body: dict[str, Any],
              rng: random.Random) -> None:
        key = str(uuid.UUID(int=rng.getrandbits(128)))
        answer = caller.api(name, (AGENT,), "POST", f"/conversations/{cid}/{route}", body, key=key)
        self._ledger.add("sends", {"route": route, "who": name, "key": key, "conversation_id": cid,
                                   "status": answer.status_code if answer is not None else None,
                                   "answer": _json(answer)})

    def _act(self, caller: Caller, name: str, cid: str, action: str, body: Any = None,
             roles: tuple[str, ...] = (AGENT,)) -> None:
        answer = caller.api(name, roles, "POST", f"/conversations/{cid}/{action}", body)
        code = ((_json(answer) or {}).get("error") or {}).get("code") if answer is not None else None
        self._ledger.count(f"{action} {answer.status_code if answer is not None else 'unanswered'}"
                           + (f" {code}" if code else ""))

    def _supervisor(self, rng: random.Random, caller: Caller) -> None:
        while not self.stop.is_set():
            self.stop.wait(rng.uniform(2.0, 4.0))
            workstream = rng.choice(list(self._world.workstreams.values()))
            page = caller.api(SUPERVISOR_NAME, (SUPERVISOR,), "GET",
                              f"/conversations?view=queue&workstream_id={workstream}&queue=general")
            waiting = page.json()["conversations"] if page is not None and page.status_code == 200 else []
            if waiting:
                self._act(caller, SUPERVISOR_NAME, rng.choice(waiting)["id"], "assign",
                          {"agent_id": object_id_of(rng.choice(AGENTS))}, roles=(SUPERVISOR,))

    def _proactive(self, rng: random.Random, caller: Caller) -> None:
        account, sent = self._world.twilio_account, 0
        while not self.stop.is_set():
            self.stop.wait(rng.uniform(3.0, 6.0))
            sent += 1
            to = [f"+1206555{7000 + 2 * sent:04d}", f"+1206555{7001 + 2 * sent:04d}"]
            key = str(uuid.UUID(int=rng.getrandbits(128)))
            body = {"account_id": account.id, "from": account.numbers[0].number, "to": to,
                    "body": f"Your order {sent} has shipped."}
            answer = caller.api("alice", (ADMIN,), "POST", "/outbound", body, key=key)
            self._ledger.add("sends", {"route": "outbound", "who": "alice", "key": key, "to": to,
                                       "status": answer.status_code if answer is not None else None,
                                       "answer": _json(answer)})

    def _eraser(self, rng: random.Random, caller: Caller) -> None:
        erased = self._world.erased
        self.stop.wait(rng.uniform(15.0, 25.0))
        if self.stop.is_set() or erased is None:
            return
        self._world.erasure_id = "asked"  # its customer stops writing; what it wrote is erased
        for thread in self._threads:
            if thread.name == f"crash-{erased.name}":
                thread.join()
        answer = caller.api("alice", (ADMIN,), "POST", "/admin/erasures",
                            {"address": erased.address, "account_id": erased.account.id})
        if answer is not None and answer.status_code == 200:
            self._world.erasure_id = answer.json()["id"]


def _provider_id(customer: Customer, rng: random.Random) -> str:
    bits = rng.getrandbits(128)
    if customer.provider == "twilio":
        return f"SM{bits:032x}"
    if customer.provider == "telesign":
        return f"{bits:032X}"
    return str(uuid.UUID(int=bits))


def _json(answer: Any) -> Any:
    try:
        return answer.json() if answer is not None and answer.content else None
    except ValueError:
        return None

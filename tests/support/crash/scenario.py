"""A run of the crash suite (tests/crash): local hosts killed with SIGKILL at random moments
while customers write through every provider, agents work, supervisors assign, proactive
batches go out, offers lapse, bots relay, the timers run and a customer is erased; each
killed host started again on the same storage and queues; clients asking again, the
same, whatever answer they lost. Then the checks of tests/support/crash/checks.py.

Seeded and bounded: the seed is printed (CRASH_SEED=<seed> replays the same asks and the
same kill times; what the hosts were doing at each kill differs a little from run to run),
CRASH_KILLS sets the kills per run (20). With two hosts, one is killed at a time and the
clients call either: what one promised, the other finishes."""

from __future__ import annotations

import os
import random
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


from core.identity import ADMIN, AGENT, SUPERVISOR
from functions.settings import Settings
from functions.wiring import Services, build
from localhost.easyauth import object_id_of
from localhost.services import Azurite
from tests.support import acs as acs_data
from tests.support import telesign as ts
from tests.support import twilio as tw
from tests.support.crash import checks
from tests.support.crash.fleet import Caller, Fleet, Ledger
from tests.support.crash.providers import Acs, TeleSign, Twilio
from tests.support.crash.workload import AGENTS, SUPERVISOR_NAME, TEMPLATE, Actors, Customer, World
from tests.support.directline import SECRET, StandInBot
from tests.support.recorder import recording

SEED = int(os.environ.get("CRASH_SEED") or secrets.randbits(32))
KILLS = int(os.environ.get("CRASH_KILLS") or 20)
NUMBERS = {"support": "+14252306549", "bot": "+14252306550", "telesign": "+14252306560", "acs_sms": "+14252306570"}
MAX_ATTEMPTS = 10
LOGGED = {  # what the hosts logged, counted for the run's figures
    "tries in doubt found sent": "in doubt had gone out", "tries in doubt sent again": "has no record of try",
    "sends taken over by a retry": "taken over by a retry", "messages not sent (request died)": "its request failed",
    "moves finished by the timer": "a move its writer left unfinished", "capacity released by a watch": "released capacity",
    "offers": "offered to agent", "offers lapsed": "lapsed", "closed by the sweep": "for inactivity",
    "relayed to bots": "relayed to the bot", "handed off by bots": "handed off by its bot stage",
}


@contextmanager
def providers() -> Iterator[dict[str, Any]]:
    """The stand-ins, fresh for each run: what they count is that run's."""
    with recording() as twilio_api, recording() as telesign_api, recording() as acs_api, recording() as dl_api:
        yield {"twilio": Twilio(twilio_api), "telesign": TeleSign(telesign_api), "acs": Acs(acs_api),
               "bot": StandInBot(dl_api), "urls": {"twilio": twilio_api.base_url, "telesign": telesign_api.base_url,
                                                   "acs": acs_api.base_url, "directline": dl_api.base_url}}


def host_env(azurite, sealing_key, stand_ins, folder) -> dict[str, str]:
    prefix = "k" + secrets.token_hex(5)
    urls = stand_ins["urls"]
    return {
        "AzureWebJobsStorage": azurite.connection_string, "SWITCHBOARD_TABLE_PREFIX": prefix,
        "OUTBOX_QUEUE": f"{prefix}-outbox", "SWITCHBOARD_SEALING_KEY": sealing_key,
        "SWITCHBOARD_LOCAL_DIR": str(folder), "PUBLIC_BASE_URL": "",
        "TWILIO_API_BASE_URL": urls["twilio"], "TELESIGN_API_BASE_URL": urls["telesign"],
        "DIRECTLINE_BASE_URL": urls["directline"],
        # Every timer and lease short, so that what a kill leaves behind is settled within the run.
        "OUTBOX_GUARD_SECONDS": "6", "OUTBOX_RETRY_SECONDS": "1", "OUTBOX_UNKNOWN_SECONDS": "3",
        "OUTBOX_MAX_ATTEMPTS": str(MAX_ATTEMPTS), "IDEMPOTENCY_WAIT_SECONDS": "2", "IDEMPOTENCY_LEASE_SECONDS": "8",
        "LOCALHOST_QUEUE_LEASE_SECONDS": "6", "AGENT_WATCH_SECONDS": "2", "AGENT_OFFLINE_AFTER_SECONDS": "60",
        "COMMIT_TIMEOUT_SECONDS": "45",  # past a move's job's 30 s: a pending job is waited for
        "AUTO_CLOSE_MIN_MINUTES": "1", "AUTO_CLOSE_SCHEDULE": "*/2 * * * * *",
        "DISTRIBUTION_SCHEDULE": "*/1 * * * * *", "RETENTION_SCHEDULE": "*/3 * * * * *",
    }


def set_up(caller: Caller, services: Services, stand_ins: dict[str, Any]) -> World:
    world = World(public_url=caller.public_url)
    admin = (ADMIN,)

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = caller.api("alice", admin, "POST", path, body)
        assert answer is not None and answer.status_code == 201, (path, answer and answer.text)
        return answer.json()

    twilio = post("/admin/accounts", tw.account_body(numbers=[
        {"number": NUMBERS["support"], "type": "long_code"}, {"number": NUMBERS["bot"], "type": "long_code"}]))
    telesign = post("/admin/accounts", ts.account_body(numbers=[{"number": NUMBERS["telesign"], "type": "long_code"}]))
    stand_ins["telesign"].callback = telesign["callback"]["inbound_url"]
    acs_sms = post("/admin/accounts", acs_data.sms_account(stand_ins["urls"]["acs"], NUMBERS["acs_sms"]))
    whatsapp = post("/admin/accounts", acs_data.whatsapp_account(stand_ins["urls"]["acs"]))
    common = {"queues": ["general"], "default_queue": "general", "auto_close_after_minutes": 1,
              "distribution": {"mode": "push", "offer_timeout_seconds": 10}}
    for name, account, number, extra in [
        ("Support", twilio, NUMBERS["support"], {"allow_automated_messages": True, "automated_messages": {
            "greeting": {"text": "Thanks for writing: an agent is on the way."}}}),
        ("Bot", twilio, NUMBERS["bot"], {"bot": {"secret": SECRET, "name": "Stand-in", "answer_timeout_seconds": 10}}),
        ("TeleSign", telesign, NUMBERS["telesign"], {}),
        ("ACS SMS", acs_sms, NUMBERS["acs_sms"], {}),
        ("WhatsApp", whatsapp, acs_data.CHANNEL_ID, {"templates": [TEMPLATE]}),
    ]:
        world.workstreams[name] = post("/admin/workstreams", {"name": name, "account_id": account["id"],
                                                              "number": number, **common, **extra})["id"]
    world.whatsapp.add(world.workstreams["WhatsApp"])
    _people(caller, world)
    _customers(world, services, twilio["id"], telesign["id"], acs_sms["id"], whatsapp["id"])
    return world


def _people(caller: Caller, world: World) -> None:
    queues = [{"workstream_id": w, "queue": "general"} for w in world.workstreams.values()]
    for name in AGENTS:
        assert caller.api(name, (AGENT,), "GET", "/me").status_code == 200  # signs in: enters the directory
        changed = caller.api("alice", (ADMIN,), "PATCH", f"/admin/agents/{object_id_of(name)}",
                             {"queues": queues, "capacity": {"sms": 3, "whatsapp": 2}})
        assert changed.status_code == 200, changed.text
        assert caller.api(name, (AGENT,), "PUT", "/me/presence", {"presence": "available"}).status_code == 200
    assert caller.api(SUPERVISOR_NAME, (SUPERVISOR,), "GET", "/me").status_code == 200
    caller.api("alice", (ADMIN,), "PATCH", f"/admin/agents/{object_id_of(SUPERVISOR_NAME)}",
               {"supervises": list(world.workstreams.values())})


def _customers(world: World, services: Services, twilio: str, telesign: str, acs_sms: str, whatsapp: str) -> None:
    accounts = {a: services.stores.accounts.get(a) for a in (twilio, telesign, acs_sms, whatsapp)}
    world.twilio_account = accounts[twilio]
    plan = [("support", "twilio", twilio, NUMBERS["support"], 6), ("bot", "twilio", twilio, NUMBERS["bot"], 2),
            ("telesign", "telesign", telesign, NUMBERS["telesign"], 3),
            ("acs-sms", "acs", acs_sms, NUMBERS["acs_sms"], 3), ("whatsapp", "acs", whatsapp, acs_data.CHANNEL_ID, 2)]
    n = 0
    for label, provider, account, business, count in plan:
        for _ in range(count):
            n += 1
            world.customers.append(Customer(f"{label}-{n}", provider, accounts[account], f"+1206555{n:04d}", business,
                                            quiet_after=2 if n % 4 == 0 else 0))
    world.erased = Customer("erased", "twilio", accounts[twilio], "+12065559999", NUMBERS["support"])
    world.customers.append(world.erased)


def kill_and_restart(fleet: Fleet, rng: random.Random) -> None:
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.5, 2.5))  # a host starts in about half a second: it is killed busy
        index = rng.randrange(len(fleet))
        fleet.kill(index)
        time.sleep(rng.uniform(0.0, 1.0) if len(fleet) == 1 else rng.uniform(0.5, 2.0))
        fleet.start(index)


def settle(services: Services, timeout: float = 120.0) -> None:
    """Until the outbox owes nothing, no move a killed writer left is waiting for the
    distribution timer to finish it (``place|`` rows, due in 30 s) and no capacity a killed
    writer reserved waits for its agent's watch to release it. The outbox queue may
    still hold guards of requests killed before they stored their message: each comes back
    for REQUEST_TIME (4 minutes) and finds nothing to send, so it is not waited for."""
    timers = services.stores.storage.table("timers")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        moving = any(r["RowKey"].startswith("place|") for r in timers.list_entities(select=["RowKey"]))
        if not moving and not checks.unsettled(services):
            return
        time.sleep(1.0)


def run(azurite: Azurite, sealing_key: str, stand_ins: dict[str, Any], folder: Path, hosts: int) -> None:
    """One run with ``hosts`` hosts; fails with the seed and every problem found."""
    print(f"\ncrash suite: seed {SEED} (CRASH_SEED={SEED} replays it), {KILLS} kills, {hosts} host(s)")
    fleet, ledger, rng = Fleet(host_env(azurite, sealing_key, stand_ins, folder), hosts), Ledger(), random.Random(SEED)
    env = fleet.env
    env["PUBLIC_BASE_URL"] = fleet.url(0)  # as behind a load balancer: providers sign and call one URL
    stopped_at: list[float] = []
    patience = lambda: stopped_at[0] + 60 if stopped_at else float("inf")  # noqa: E731
    services = build(Settings.from_env(env))
    fleet.start_all()
    try:
        world = set_up(Caller(fleet, ledger, random.Random(SEED), patience), services, stand_ins)
        actors = Actors(lambda r: Caller(fleet, ledger, r, patience), ledger, world, f"{SEED}|{hosts}")
        actors.start()
        kill_and_restart(fleet, random.Random(f"{SEED}|killer"))
        actors.stop.set()
        stopped_at.append(time.monotonic())
        still = actors.join(90)
        settle(services)
        went = executions(stand_ins, services)
        checking = time.monotonic()  # the checks' own minute: settling may have taken the actors'
        found = checks.problems(services, Caller(fleet, ledger, rng, lambda: checking + 60), ledger, world, went)
    finally:
        fleet.stop_all()
    found += checks.failures_logged(fleet.logs)
    report(ledger, fleet, stand_ins)
    print(f"messages that went out twice (TeleSign: a try in doubt whose report came late): "
          f"{sum(1 for n in went.values() if n == 2)}")
    assert not still, f"seed {SEED}: still asking after the run: {still}"
    assert not found, f"seed {SEED}: " + "\n".join(found)


def executions(stand_ins: dict[str, Any], services: Services) -> Counter[str]:
    """How many times the providers executed a send of each of our messages."""
    out = checks.Rows.read(services).outbound()
    sids = {m["ProviderMessageId"]: mid for mid, m in out.items() if m.get("ProviderMessageId")}
    return stand_ins["twilio"].executions(sids) + stand_ins["telesign"].executions() + \
        stand_ins["acs"].executions(out, MAX_ATTEMPTS)


def report(ledger: Ledger, fleet: Fleet, stand_ins: dict[str, Any]) -> None:
    """The figures of the run, printed with the test's output."""
    inbound = Counter(provider for provider, _, _ in ledger.inbound)
    sends = Counter(f"{s['route']} {s['status']}" for s in ledger.sends)
    print(f"kills: {fleet.kills}; webhooks taken: {dict(inbound)}; sends answered: {dict(sends)}")
    print(f"agents' actions answered: {dict(sorted(ledger.actions.items()))}")
    print(f"Twilio status callbacks posted {stand_ins['twilio'].callbacks['posted']}, "
          f"lost {stand_ins['twilio'].callbacks['lost']}")
    print("in the hosts' logs: " + "; ".join(f"{what} {fleet.logged(text)}" for what, text in LOGGED.items()))
    for log in fleet.logs:
        for failure in log.split("unhandled error")[1:]:
            print("unhandled error" + failure[:3000])  # its traceback, for whoever reads a failure

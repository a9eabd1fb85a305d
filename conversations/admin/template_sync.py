"""Each WhatsApp account's templates, synced from its provider: on an admin's demand and on
the TEMPLATE_SYNC_SCHEDULE timer. A sync is one listing at the provider, one read of the
account's catalogue and writes only for what changed; a template the provider no longer
lists is kept, marked gone, and a change of category is kept as the previous one and
written to the audit trail (``template.category_changed``, by whoever synced)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Iterable

from conversations.customer_data.audit import AuditTrail
from core.clock import Clock
from core.errors import NotFound, SwitchboardError, ValidationFailed
from core.identity import Actor
from core.ports import Accounts, TemplateCatalogues, TemplateSource
from core.records import WHATSAPP, Account
from core.templates import MAX_CATALOGUE, SyncedTemplate

log = logging.getLogger(__name__)
SYNCED_PROVIDERS = ("acs", "twilio")
SCHEDULE = Actor("switchboard", "Template sync schedule")  # who the timer's syncs are audited as
CATEGORY_CHANGED = "template.category_changed"


@dataclass(frozen=True)
class SyncResult:
    templates: tuple[SyncedTemplate, ...]
    added: int
    changed: int
    gone: int

    def to_dict(self) -> dict[str, object]:
        return {"templates": [t.to_dict() for t in self.templates], "added": self.added, "changed": self.changed,
                "gone": self.gone}


class TemplateSync:
    def __init__(self, accounts: Accounts, catalogues: TemplateCatalogues, source: TemplateSource,
                 clock: Clock, audit: AuditTrail) -> None:
        self._accounts = accounts
        self._audit = audit
        self._catalogues = catalogues
        self._source = source
        self._clock = clock

    def catalogue(self, account_id: str) -> list[SyncedTemplate]:
        return self._catalogues.read(self._account(account_id).id)

    def sync(self, account_id: str, actor: Actor = SCHEDULE) -> SyncResult:
        account = self._account(account_id)
        if not syncs(account):
            raise ValidationFailed("account", "only WhatsApp accounts of ACS or Twilio have templates to sync")
        stored = {t.key: t for t in self._catalogues.read(account.id)}
        listed = self._source.list_templates(account)
        if len(listed) > MAX_CATALOGUE:  # the provider holds more than is kept: what is cut off is not gone
            log.warning("template sync of account %s: more than %d templates listed, none marked gone",
                        account.id, MAX_CATALOGUE)
        changed = merge(stored, listed[:MAX_CATALOGUE], self._clock(), complete=len(listed) <= MAX_CATALOGUE)
        self._catalogues.write(account.id, changed)
        for before, now in reclassified(stored, changed):
            self._audit.note(actor, CATEGORY_CHANGED, f"{account.id}/{now.name}/{now.language}",
                             (f"category.from={before.category}", f"category.to={now.category}"))
        merged = {**stored, **{t.key: t for t in changed}}
        return SyncResult(templates=tuple(merged[k] for k in sorted(merged)),
                          added=sum(1 for t in changed if t.key not in stored),
                          changed=sum(1 for t in changed if t.key in stored and not t.gone),
                          gone=sum(1 for t in changed if t.gone))

    def sync_all(self) -> int:
        """The timer's run: every WhatsApp account of a provider that lists templates; one
        account's failure is logged and the others still synced. Answers how many synced."""
        synced = 0
        for account in filter(syncs, self._accounts.list()):
            try:
                self.sync(account.id)
                synced += 1
            except SwitchboardError as exc:
                log.warning("template sync of account %s failed: %s", account.id, exc.code)
            except Exception as exc:  # noqa: BLE001 - an unforeseen answer of one provider stops no other account
                log.warning("template sync of account %s failed: %s", account.id, type(exc).__name__)
        return synced

    def _account(self, account_id: str) -> Account:
        account = self._accounts.get(account_id)
        if account is None:
            raise NotFound(f"account {account_id} not found")
        return account


def syncs(account: Account) -> bool:
    return account.channel == WHATSAPP and account.provider in SYNCED_PROVIDERS


def reclassified(stored: dict[tuple[str, str], SyncedTemplate],
                 changed: list[SyncedTemplate]) -> list[tuple[SyncedTemplate, SyncedTemplate]]:
    """The templates (before, now) whose category the provider changed, as a sync wrote them."""
    return [(before, t) for t in changed if not t.gone and (before := stored.get(t.key)) is not None
            and before.category is not None and before.category != t.category]


def merge(stored: dict[tuple[str, str], SyncedTemplate], listed: Iterable[SyncedTemplate],
          now: datetime, complete: bool = True) -> list[SyncedTemplate]:
    """The templates whose rows must be written: new ones, changed ones (a new category
    keeps the one before it), and, when the listing is ``complete``, those no longer listed,
    marked gone once."""
    changed: list[SyncedTemplate] = []
    seen: set[tuple[str, str]] = set()
    for template in listed:
        seen.add(template.key)
        before = stored.get(template.key)
        if before is not None and before.listed_as(template):
            continue
        previous = before.previous_category if before is not None else None
        if before is not None and before.category != template.category:
            previous = before.category
        changed.append(replace(template, previous_category=previous, changed_at=now))
    changed.extend(replace(t, gone=True, changed_at=now) for key, t in stored.items()
                   if complete and key not in seen and not t.gone)
    return changed

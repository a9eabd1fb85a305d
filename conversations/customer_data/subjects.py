"""Whom an erasure or a subject-access export is about: a customer's address, in one
account or in all, and the threads it has with each of their business addresses."""

from __future__ import annotations

from typing import Any

from conversations.admin.numbers import PhoneReader
from conversations.admin.validation import reject_unknown, require_object
from core.addresses import is_e164, possible_customer, without_scheme
from core.custody import Digests, OptOuts, Subject, ThreadContents
from core.errors import ValidationFailed
from core.ids import is_record_id, thread_key
from core.ports import Accounts
from core.records import OPTED_OUT


def parse_subject(body: Any, phones: PhoneReader) -> Subject:
    """``{"address": "+14255550123" or a WhatsApp user id, "account_id": optional}``, a
    number in any form ``phones`` reads (see ``_number``)."""
    body = require_object(body)
    reject_unknown(body, ("address", "account_id"))
    address, account_id = body.get("address"), body.get("account_id")  # only null or absent: every account
    if not isinstance(address, str) or not address.strip():
        raise ValidationFailed("address", "is required: the customer's phone number (E.164) or WhatsApp user id")
    address = without_scheme(address.strip()).strip()  # a provider's form (whatsapp:+1…): as ingest stores it
    if not address.strip("+0123456789 ().-/"):  # a number, in any form people write one
        address = _number(address, phones)
    elif not possible_customer(address, user_ids=True):
        raise ValidationFailed("address", "must be a phone number (E.164) or a WhatsApp user id")
    if account_id is not None and (not isinstance(account_id, str) or not is_record_id(account_id)):
        raise ValidationFailed("account_id", "must be an account id (32 hexadecimal characters)")
    return Subject(address, account_id)


def subject_id(subject: Subject, digests: Digests) -> str:
    """The subject's id, keyed so that it names no number: its erasure job's, and the
    target of the audit entries of its exports and erasures."""
    return digests.digest(f"erasure\n{subject.account_id or '*'}\n{subject.address}")[:32]


def _number(address: str, phones: PhoneReader) -> str:
    """The number as ``phones`` reads it (+44 020… is +4420…, as providers send it); one in
    E.164 it refuses is taken as it is, as ingest took it (a range its rules do not know
    yet), so that its customer can be exported and erased."""
    try:
        return phones.entered(address, "address")
    except ValidationFailed:
        if is_e164(address):
            return address
        raise


def threads_of(subject: Subject, accounts: Accounts) -> dict[str, str]:
    """The thread keys the subject has or may have, each with its business address: one per
    business address of each account in scope (threads are keyed by account, business
    address and customer)."""
    if subject.account_id is not None:
        account = accounts.get(subject.account_id)
        if account is None:
            raise ValidationFailed("account_id", f"no account {subject.account_id}")
        chosen = [account]
    else:
        chosen = accounts.list()
    return {thread_key(a.id, business, subject.address): business for a in chosen for business in a.addresses()}


def opted_out(thread: str, contents: ThreadContents, optouts: OptOuts) -> bool:
    """Whether the thread's customer is opted out, as the app applies it: as its head says;
    with the head gone (deleted by retention, which kept its consent as a hashed opt-out or
    none), when an opt-out is kept for it (one point read per sealing key), whatever an
    older conversation left behind says."""
    if contents.head is not None:
        return contents.head.conversation.consent.state == OPTED_OUT
    return optouts.held(thread)


def is_phone(subject: Subject) -> bool:
    return is_e164(subject.address)

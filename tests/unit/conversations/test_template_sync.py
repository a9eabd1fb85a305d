"""What a template sync writes (merge) and what sending a synced template allows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from conversations.admin.template_sync import merge
from conversations.messaging.templates import GONE, NOT_APPROVED, prepared
from core.errors import Conflict, ValidationFailed
from core.records import Template
from core.templates import APPROVED, PENDING, SyncedTemplate, TemplateParameter

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)
WELCOME = SyncedTemplate("welcome", "en", APPROVED, "utility", "Hi {{first_name}}, order {{order}}",
                         (TemplateParameter("first_name"), TemplateParameter("order")), provider_id="HX1")
PASTED = Template("welcome", "en", "Hi {{1}}")


def test_only_new_changed_and_newly_gone_templates_are_written():
    promo = SyncedTemplate("promo", "en", PENDING, "marketing", "Sale")
    stored = {WELCOME.key: WELCOME, promo.key: promo}
    assert merge(stored, [WELCOME, promo], NOW) == []
    reclassified = SyncedTemplate("promo", "en", APPROVED, "utility", "Sale")
    [changed, gone] = merge(stored, [reclassified], NOW)
    assert (changed.status, changed.category, changed.previous_category, changed.changed_at) == (
        APPROVED, "utility", "marketing", NOW)
    assert gone.key == WELCOME.key and gone.gone and gone.status == APPROVED
    assert merge({**stored, WELCOME.key: gone}, [reclassified], NOW) == [
        SyncedTemplate("promo", "en", APPROVED, "utility", "Sale", previous_category="marketing", changed_at=NOW)]



def test_a_listing_cut_off_at_the_catalogues_bound_marks_nothing_gone():
    promo = SyncedTemplate("promo", "en", PENDING, "marketing", "Sale")
    assert merge({WELCOME.key: WELCOME, promo.key: promo}, [promo], NOW, complete=False) == []


def test_named_parameters_are_filled_by_name_or_in_order():
    body, ref = prepared(PASTED, [WELCOME], {"order": "A-17", "first_name": "Ana"})
    assert body == "Hi Ana, order A-17"
    assert (ref.parameters, ref.names, ref.content_sid) == (("Ana", "A-17"), ("first_name", "order"), "HX1")
    assert prepared(PASTED, [WELCOME], ["Ana", "A-17"])[0] == body
    with pytest.raises(ValidationFailed, match="parameters.colour"):
        prepared(PASTED, [WELCOME], {"colour": "red"})
    with pytest.raises(ValidationFailed, match="parameters.order"):
        prepared(PASTED, [WELCOME], ["Ana", " "])


@pytest.mark.parametrize("value", ["A-17\nB-2", "A-17\tB-2", "A-17\r", "A-17     B-2"])
def test_a_parameter_whatsapp_would_refuse_is_refused_before_anything_is_sent(value):
    """A line break, a tab or more than 4 spaces in a row: WhatsApp refuses it."""
    with pytest.raises(ValidationFailed) as refused:
        prepared(PASTED, [WELCOME], {"first_name": "Ana", "order": value})
    assert refused.value.field == "parameters.order"
    assert prepared(PASTED, [WELCOME], {"first_name": "Ana", "order": "A-17    B-2"})[0] == "Hi Ana, order A-17    B-2"


def test_a_template_is_refused_unless_the_catalogue_holds_it_approved():
    for listed, code in (([SyncedTemplate("welcome", "en", PENDING, None, "x")], NOT_APPROVED),
                         ([SyncedTemplate("welcome", "en", APPROVED, None, "x", gone=True)], GONE),
                         ([SyncedTemplate("other", "en", APPROVED, None, "x")], NOT_APPROVED)):
        with pytest.raises(Conflict) as refused:
            prepared(PASTED, listed, [])
        assert refused.value.code == code and refused.value.message.startswith("name: ")
    media = SyncedTemplate("welcome", "en", APPROVED, None, "x", (TemplateParameter("header", "image"),))
    with pytest.raises(ValidationFailed, match="is of type image"):
        prepared(PASTED, [media], ["https://example.com/a.png"])


def test_without_a_synced_catalogue_the_pasted_template_is_sent():
    body, ref = prepared(PASTED, [], ["Ana"])
    assert body == "Hi Ana" and ref.names == () and ref.content_sid is None


def test_positional_parameters_go_by_number_where_the_body_names_them_out_of_order():
    translated = Template("order_update", "pt_BR", "Pedido {{2}} de {{1}} enviado.")
    synced = SyncedTemplate("order_update", "pt_BR", APPROVED, "utility", translated.text,
                            (TemplateParameter("2"), TemplateParameter("1")), provider_id="HX2")  # as first named
    body, ref = prepared(translated, [synced], ["Ana", "A-17"])
    assert body == "Pedido A-17 de Ana enviado." == prepared(translated, [], ["Ana", "A-17"])[0]
    assert (ref.parameters, ref.names) == (("Ana", "A-17"), ())  # {{1}} Ana, {{2}} A-17, as the provider takes them
    assert [p.name for p in synced.parameters] == ["1", "2"]

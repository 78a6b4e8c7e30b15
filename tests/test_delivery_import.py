"""`shopcare delivery import`: tracking news from AfterShip and InPost webhooks and from CSV
(tests/data/tracking/README.md), applied through `import_tracking` on the library Context."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from importlib.util import find_spec

import pytest

from helpers import DATA
from shopcare.importers.tracking import event_ref, import_tracking
from shopcare.importers.tracking_events import map_status
from shopcare.services.deliveries import add_delivery

TRACKING = DATA / "tracking"
AFTERSHIP = TRACKING / "aftership_webhooks.jsonl"
INPOST = TRACKING / "inpost_webhooks.jsonl"
POLISH_CSV = TRACKING / "sledzenie_przesylek.csv"

DPD_AS = "13785021409614"  # DPD via AfterShip, order A1001 (not known to shopcare before the import)
INPOST_AS = "620158403726195027416384"  # InPost via AfterShip, order A1002 (added by hand)
INPOST_WH = "630028461957302846117493"  # InPost webhooks, order A1003 (added by hand)
DPD_CSV = "13785021409621"  # order A1004, only in the CSV
INPOST_CSV = "630028461957302846118021"  # order A1005, only in the CSV

ORDERS = {  # number: (customer, email, promised)
    "A1001": ("Anna Nowak", "anna.nowak@example.pl", "2026-11-19"),
    "A1002": ("Piotr Zieliński", "piotr.zielinski@example.pl", "2026-11-20"),
    "A1003": ("Jan Kowalski", "jan.kowalski@example.pl", "2026-11-20"),
    "A1004": ("Katarzyna Wójcik", "k.wojcik@example.pl", "2026-11-20"),
    "A1005": ("Tomasz Lewandowski", "tomasz.l@example.pl", "2026-11-19"),
}


def _at(ctx, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ctx.tz)


def _orders(shop, *numbers: str, confirm: bool = True) -> None:
    """Orders placed (and confirmed) on Monday 2026-11-16; the ctx clock stays at 2026-11-23."""
    shop.now = "2026-11-16T09:00:00+01:00"
    for number in numbers:
        name, email, promised = ORDERS[number]
        cid = shop.customer(name=name, email=email)
        shop.order(number, cid, "--promised", promised)
        if confirm:
            shop.ok("order", "confirm", number)


def _messages(ctx) -> Counter:
    return Counter((m.record, m.kind) for m in ctx.outbox.iter_state("new") if m.audience == "customer")


def _snapshot(shop) -> dict:
    return {f"{d.name}/{p.name}": p.read_bytes() for d in (shop.data / "deliveries", shop.data / "orders")
            if d.exists() for p in d.iterdir() if p.suffix == ".toml"}


def _aftership_shop(shop, ctx) -> None:
    _orders(shop, "A1001", "A1002")
    add_delivery(ctx, "A1002", carrier="InPost", tracking=INPOST_AS, at=_at(ctx, "2026-11-17T12:00"), status="info_received")


# -- AfterShip ----------------------------------------------------------------------------------

def test_aftership_webhooks_track_parcels_and_tell_customers(shop, ctx):
    _aftership_shop(shop, ctx)
    rep = import_tracking(ctx, AFTERSHIP)

    assert rep.format == "aftership" and rep.parcels == 3
    # DPD: 7 checkpoints + the revised date; InPost: 4 checkpoints; Omniva: 1 (unknown parcel).
    assert rep.events == 13 and rep.applied == 12 and rep.deliveries_added == 1 and rep.already_known == 0
    # Payloads repeat earlier checkpoints: each was applied once.
    dpd = ctx.store.get("delivery", "A1001-1")
    assert len(dpd.events) == 8 and len({e.ref for e in dpd.events}) == 8
    # The Omniva parcel names an order shopcare does not have: one problem, on its line.
    assert [(p.line, "unknown tracking number" in p.message and "CE472915836EE" in p.message) for p in rep.problems] == [(10, True)]
    assert rep.warnings == []

    # The DPD parcel was unknown but names confirmed order A1001: added, carrier from the slug.
    assert (dpd.order, dpd.carrier, dpd.tracking, dpd.status) == ("A1001", "DPD", DPD_AS, "delivered")
    assert "tracktrace.dpd.com.pl" in dpd.tracking_url
    # Times without an offset are shop time; the moments are the carrier's, not the import's.
    assert dpd.delivered_at == _at(ctx, "2026-11-20T11:22:08")
    assert dpd.shipped_at == _at(ctx, "2026-11-17T19:48:03")
    assert [e.status for e in dpd.events] == ["info_received", "in_transit", "in_transit", "out_for_delivery",
                                              "attempt_failed", "attempt_failed", "out_for_delivery", "delivered"]
    assert dpd.events[4].note.startswith("Nieudana próba doręczenia: odbiorca nieobecny")
    # The expected date slipped from 18 to 20 November (promised: 19): recorded with the edd_revise.
    assert dpd.eta == date(2026, 11, 20) and dpd.events[5].eta == date(2026, 11, 20) and dpd.events[0].eta == date(2026, 11, 18)
    order = ctx.store.get("order", "A1001")
    assert order.status == "delivered" and order.shipped_at == _at(ctx, "2026-11-17T19:48:03")

    inpost = ctx.store.get("delivery", "A1002-1")
    assert inpost.status == "delivered" and inpost.delivered_at == _at(ctx, "2026-11-19T17:22:30")
    assert inpost.pickup_point.startswith("Paczkomat KRA01M") and inpost.eta == date(2026, 11, 19)
    assert ctx.store.get("order", "A1002").status == "delivered"

    msgs = _messages(ctx)
    assert msgs[("delivery/A1001-1", "order_shipped")] == 1
    assert msgs[("delivery/A1001-1", "out_for_delivery")] == 2  # before the failed attempt and on the day
    assert msgs[("delivery/A1001-1", "attempt_failed")] == 1
    assert msgs[("delivery/A1001-1", "delivery_delayed")] == 1  # exactly one for the slipped date
    assert msgs[("delivery/A1001-1", "delivered")] == 1
    assert msgs[("delivery/A1002-1", "order_shipped")] == 1
    assert msgs[("delivery/A1002-1", "available_for_pickup")] == 1
    assert msgs[("delivery/A1002-1", "delivered")] == 1
    assert msgs[("delivery/A1002-1", "delivery_delayed")] == 0  # expected the 19th, promised the 20th
    assert "nothing changed" not in rep.describe()


def test_importing_the_same_file_again_changes_nothing_and_says_so(shop, ctx):
    _aftership_shop(shop, ctx)
    first = import_tracking(ctx, AFTERSHIP)
    before, queued = _snapshot(shop), _messages(ctx)

    again = import_tracking(ctx, AFTERSHIP)
    assert again.applied == 0 and again.deliveries_added == 0 and not again.changed
    assert first.events == 13 and again.already_known == 12  # all but the unknown Omniva parcel's
    assert "nothing changed" in again.describe()
    assert again.as_dict()["changed"] is False and again.as_dict()["already_known"] == 12
    assert [p.line for p in again.problems] == [10]  # the unknown parcel is still reported
    assert _snapshot(shop) == before
    assert _messages(ctx) == queued


# -- InPost -------------------------------------------------------------------------------------

def test_inpost_webhooks(shop, ctx):
    _orders(shop, "A1003")
    add_delivery(ctx, "A1003", carrier="InPost", tracking=INPOST_WH, at=_at(ctx, "2026-11-16T11:50"), status="pending")
    rep = import_tracking(ctx, INPOST)

    assert rep.format == "inpost"
    d = ctx.store.get("delivery", "A1003-1")
    assert d.status == "delivered" and d.delivered_at == _at(ctx, "2026-11-18T19:02:44")
    assert d.shipped_at == _at(ctx, "2026-11-16T18:37:52")  # dispatched_by_sender: in the locker
    # shipment_confirmed -> info_received, then the network scans, the courier, the locker.
    assert [e.status for e in d.events] == ["info_received", "in_transit", "out_for_delivery", "available_for_pickup", "delivered"]
    assert all(e.source == "inpost" for e in d.events)
    problems = {p.line: p.message for p in rep.problems}
    assert set(problems) == {4, 7}
    assert "without a tracking_number" in problems[4]  # older ShipX versions send null
    assert "unknown tracking number 630028461957302846120851" in problems[7]
    warnings = {w.line: w.message for w in rep.warnings}
    assert set(warnings) == {3, 16}
    assert "offers_prepared" in warnings[3] and "'other'" in warnings[16]
    msgs = _messages(ctx)
    for kind in ("order_shipped", "out_for_delivery", "available_for_pickup", "delivered"):
        assert msgs[("delivery/A1003-1", kind)] == 1, kind
    assert ctx.store.get("order", "A1003").status == "delivered"

    before = _snapshot(shop)
    again = import_tracking(ctx, INPOST)
    assert not again.changed and "nothing changed" in again.describe()
    assert again.already_known == again.events - 1 == 13  # all but the unknown parcel's
    assert [p.line for p in again.problems] == [4, 7]
    assert _snapshot(shop) == before


# -- CSV ----------------------------------------------------------------------------------------

def test_polish_semicolon_csv_with_bom_newest_first(shop, ctx):
    assert POLISH_CSV.read_bytes().startswith(b"\xef\xbb\xbf")
    _orders(shop, "A1004", "A1005")
    rep = import_tracking(ctx, POLISH_CSV)

    assert rep.format == "csv" and rep.problems == [] and rep.warnings == []
    assert rep.deliveries_added == 2 and rep.applied == 8 and rep.parcels == 2
    by_order = {s["order"]: s for s in ctx.store.list("delivery")}
    dpd = ctx.store.get("delivery", by_order["A1004"]["id"])
    inpost = ctx.store.get("delivery", by_order["A1005"]["id"])
    # The export lists the newest first; each parcel's events were applied oldest first.
    assert [e.status for e in dpd.events] == ["in_transit", "in_transit", "out_for_delivery", "delivered"]
    assert (dpd.carrier, dpd.tracking, dpd.status) == ("DPD", DPD_CSV, "delivered")
    assert dpd.delivered_at == _at(ctx, "2026-11-20T13:41")
    assert [e.status for e in inpost.events] == ["in_transit", "in_transit", "available_for_pickup", "delivered"]
    assert inpost.pickup_point == "WAW22A" and inpost.events[0].note == "Odebrana od nadawcy (Poznań)"
    msgs = _messages(ctx)
    did, iid = f"delivery/{dpd.id}", f"delivery/{inpost.id}"
    assert msgs[(did, "order_shipped")] == msgs[(did, "out_for_delivery")] == msgs[(did, "delivered")] == 1
    assert msgs[(did, "delivery_delayed")] == 0  # expected the 20th as promised
    # A1005 was promised for the 19th and every row says the 20th: one apology, not four.
    assert msgs[(iid, "delivery_delayed")] == 1
    assert msgs[(iid, "available_for_pickup")] == 1 and msgs[(iid, "delivered")] == 1

    again = import_tracking(ctx, POLISH_CSV)
    assert not again.changed and again.already_known == 8


def test_the_same_events_written_differently_are_still_known(shop, ctx, tmp_path):
    """A re-export with comma separators, ISO times with an offset and other status spellings."""
    _orders(shop, "A1004")
    import_tracking(ctx, POLISH_CSV)
    before = _snapshot(shop)
    f = tmp_path / "reexport.csv"
    f.write_text("tracking_number,courier,order_number,status,checkpoint_time,message\n"
                 f"{DPD_CSV},dpd-poland,A1004,InTransit,2026-11-18T16:40:00Z,Przesyłka odebrana przez Kuriera\n"
                 f"{DPD_CSV},dpd-poland,A1004,Out for Delivery,2026-11-20T06:58:00+01:00,Wydanie przesyłki do doręczenia\n"
                 f"{DPD_CSV},dpd-poland,A1004,Delivered_001,2026-11-20 13:41,Przesyłka doręczona do odbiorcy\n",
                 encoding="utf-8")
    rep = import_tracking(ctx, f)
    assert rep.problems == [] and rep.already_known == 3 and not rep.changed
    assert _snapshot(shop) == before


def test_bad_rows_are_reported_by_line_and_the_rest_import(shop, ctx, tmp_path):
    _orders(shop, "A1004", "A1005")
    lines = POLISH_CSV.read_bytes().decode("utf-8-sig").split("\r\n")
    lines[2] = lines[2].replace("20.11.2026 12:17", "31.11.2026 12:17")  # line 3: no such day
    lines[5] = lines[5].replace(";adopted_at_sorting_center;", ";zaginęła w akcji;")  # line 6: not a status
    lines[6] = lines[6].replace(INPOST_CSV, "6.30028E+23")  # line 7: a spreadsheet ate the number
    f = tmp_path / "broken.csv"
    f.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    rep = import_tracking(ctx, f)
    problems = {p.line: p.message for p in rep.problems}
    assert set(problems) == {3, 6, 7}
    assert "31.11.2026" in problems[3]
    assert "zaginęła w akcji" in problems[6] and "not one shopcare knows" in problems[6]
    assert "spreadsheet" in problems[7]
    assert rep.applied == 5 and rep.deliveries_added == 2  # the other five rows
    by_order = {s["order"]: s for s in ctx.store.list("delivery")}
    assert by_order["A1004"]["status"] == "delivered" and by_order["A1005"]["status"] == "delivered"


def test_a_broken_json_line_is_reported_and_the_rest_import(shop, ctx, tmp_path):
    _orders(shop, "A1003")
    add_delivery(ctx, "A1003", carrier="InPost", tracking=INPOST_WH, at=_at(ctx, "2026-11-16T11:50"), status="pending")
    lines = INPOST.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4][:60]  # line 5 (dispatched_by_sender) cut short, as by a full disk
    lines.insert(8, "<html><body>502 Bad Gateway</body></html>")  # line 9
    f = tmp_path / "broken.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rep = import_tracking(ctx, f)
    problems = {p.line: p.message for p in rep.problems}
    assert "not valid JSON" in problems[5] and "not valid JSON" in problems[9]
    assert ctx.store.get("delivery", "A1003-1").status == "delivered"


def test_new_parcel_of_an_unconfirmed_order_is_refused_by_row(shop, ctx, tmp_path):
    _orders(shop, "A1004")
    _orders(shop, "A1005", confirm=False)
    f = tmp_path / "mixed.csv"
    f.write_text("Tracking Number,Carrier,Order ID,Status,Last Checkpoint Time,Expected Delivery\n"
                 f"{INPOST_CSV},InPost,A1005,InTransit,2026-11-19 16:20,2026-11-20\n"
                 f"{DPD_CSV},DPD,A1004,InTransit,2026-11-18 17:40,2026-11-20\n"
                 "00340434161094042557,GLS,,InTransit,2026-11-18 18:02,\n", encoding="utf-8")
    rep = import_tracking(ctx, f)
    problems = {p.line: p.message for p in rep.problems}
    assert set(problems) == {2, 4}
    assert "A1005" in problems[2] and "not confirmed" in problems[2]
    assert "unknown tracking number 00340434161094042557" in problems[4]
    assert rep.deliveries_added == 1 and [s["order"] for s in ctx.store.list("delivery")] == ["A1004"]


def test_late_events_and_forbidden_moves_are_warnings_not_crashes(shop, ctx, tmp_path):
    _aftership_shop(shop, ctx)
    import_tracking(ctx, AFTERSHIP)  # DPD parcel delivered on 2026-11-20 11:22
    f = tmp_path / "late.csv"
    f.write_text("tracking;status;time;note\n"
                 f"{DPD_AS};in_transit;2026-11-19 09:00;Sortownia Stryków\n"  # older than delivered
                 f"{DPD_AS};exception;2026-11-22 08:00;Uszkodzona etykieta\n"  # delivered is final
                 f"{DPD_AS};delivered;2026-11-20 11:22:08;\n", encoding="utf-8")  # the same event again
    rep = import_tracking(ctx, f)
    warnings = {w.line: w.message for w in rep.warnings}
    assert set(warnings) == {2, 3} and rep.problems == []
    assert "older than its last recorded event" in warnings[2]
    assert "cannot become exception" in warnings[3]
    assert rep.skipped == 2 and rep.applied == 0
    d = ctx.store.get("delivery", "A1001-1")
    assert d.status == "delivered" and len(d.events) == 8


def test_unknown_layout_is_refused_with_the_names_it_accepts(shop, ctx, tmp_path):
    from shopcare.errors import BadInput

    f = tmp_path / "what.csv"
    f.write_text("Paczka,Kiedy\n123,2026-11-20\n", encoding="utf-8")
    with pytest.raises(BadInput) as exc:
        import_tracking(ctx, f)
    assert "tracking" in exc.value.message and "status" in exc.value.message and "numer przesyłki" in exc.value.hint
    with pytest.raises(BadInput):
        import_tracking(ctx, tmp_path / "missing.jsonl")


# -- vocabularies -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("in_transit", "in_transit"), ("returned_to_sender", "returned_to_sender"),
    ("InfoReceived", "info_received"), ("AttemptFail", "attempt_failed"), ("Failed Attempt", "attempt_failed"),
    ("AvailableForPickup", "available_for_pickup"), ("Exception", "exception"), ("Expired", None),
    ("Delivered_002", "delivered"), ("OutForDelivery", "out_for_delivery"),
    ("confirmed", "info_received"), ("dispatched_by_sender", "in_transit"), ("ready_to_pickup", "available_for_pickup"),
    ("pickup_reminder_sent", "available_for_pickup"), ("avizo", "attempt_failed"), ("pickup_time_expired", "exception"),
    ("undelivered_wrong_address", "exception"), ("return_pickup_confirmation_to_sender", "returned_to_sender"),
    ("other", None), ("canceled", None), ("Doręczona", "delivered"), ("Pristatyta", "delivered"), ("Вручено", "delivered"),
])
def test_status_vocabularies(raw, expected):
    assert map_status(raw) == expected


def test_event_ref_ignores_how_the_time_is_written(ctx):
    local = _at(ctx, "2026-11-20T13:41")
    utc = datetime.fromisoformat("2026-11-20T12:41:00+00:00")
    assert event_ref("1378 5021 4096 21", "delivered", local, "csv") == event_ref(DPD_CSV, "delivered", utc, "csv")
    assert event_ref(DPD_CSV, "delivered", local, "csv") != event_ref(DPD_CSV, "delivered", local, "aftership")
    assert len(event_ref(DPD_CSV, "delivered", local, "csv")) == 16


@pytest.mark.skipif(find_spec("shopcare.cli.delivery") is None, reason="the delivery CLI is not there yet")
def test_cli_delivery_import(shop):
    _orders(shop, "A1004", "A1005")
    r = shop.ok("delivery", "import", str(POLISH_CSV), "--json")
    assert r.json()["deliveries_added"] == 2 and r.json()["problems"] == []
    r = shop.ok("delivery", "import", str(POLISH_CSV))
    assert "nothing changed" in r.stderr


def test_webhooks_split_over_two_files_give_the_same_result(shop, ctx, tmp_path):
    """The first dump ends after the failed attempt; the next starts with the revised date."""
    _aftership_shop(shop, ctx)
    lines = AFTERSHIP.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "day1.jsonl", tmp_path / "day2.jsonl"
    first.write_text("".join(lines[:8]), encoding="utf-8")
    second.write_text("".join(lines[8:]), encoding="utf-8")
    a = import_tracking(ctx, first)
    assert a.deliveries_added == 1 and a.problems == []
    assert ctx.store.get("delivery", "A1001-1").eta == date(2026, 11, 18)
    b = import_tracking(ctx, second)
    dpd = ctx.store.get("delivery", "A1001-1")
    assert dpd.status == "delivered" and dpd.eta == date(2026, 11, 20)
    assert _messages(ctx)[("delivery/A1001-1", "delivery_delayed")] == 1
    assert b.warnings == [] and [p.line for p in b.problems] == [2]  # the Omniva parcel, now on line 2
    before = _snapshot(shop)
    for f in (first, second, AFTERSHIP):
        assert not import_tracking(ctx, f).changed, f
    assert _snapshot(shop) == before
    assert _messages(ctx)[("delivery/A1001-1", "delivery_delayed")] == 1

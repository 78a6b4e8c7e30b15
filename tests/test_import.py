"""`shopcare order import` on real platform export layouts (tests/data/imports/README.md)."""


from helpers import DATA

IMPORTS = DATA / "imports"


def test_shopify_export_imports_with_customers_and_flags_mangled_phones(shop):
    r = shop.ok("order", "import", str(IMPORTS / "shopify_orders_export.csv"), "--json")
    rep = r.json()
    assert rep["format"] == "shopify" and rep["orders"] == 9 and rep["created"] == 9 and rep["problems"] == []
    # #1041's phone was turned into 4.86E+10 by a spreadsheet: flagged, order still imported.
    assert any("1041" in w["message"] and "spreadsheet" in w["message"] for w in rep["warnings"])
    o = shop.ok("order", "show", "1041", "--json").json()
    cust = shop.ok("customer", "show", o["customer"], "--json").json()
    assert cust["name"] == "Łukasz Wiśniewski" and "phone" not in cust
    # #1043's phone lost its '+' but kept its digits: recovered.
    o = shop.ok("order", "show", "1043", "--json").json()
    cust = shop.ok("customer", "show", o["customer"], "--json").json()
    assert cust["phone"] == "+79161234567" and cust["language"] == "ru"
    # Continuation rows add items; order columns come from the first row only.
    orders = {x["number"]: x for x in shop.ok("order", "list", "--json").json()}
    multi = [n for n in orders if len(shop.ok("order", "show", n, "--json").json()["items"]) > 1]
    assert multi, "some orders have several line items"
    assert orders["1044"]["payment_state"] == "refunded" and orders["1044"]["status"] == "cancelled"
    assert orders["1045"]["payment_state"] == "unpaid"


def test_reimport_changes_nothing_and_says_so(shop):
    f = str(IMPORTS / "shopify_orders_export.csv")
    shop.ok("order", "import", f)
    before = {p.name: p.read_bytes() for p in (shop.data / "orders").iterdir()}
    r = shop.ok("order", "import", f)
    assert "nothing changed" in r.stderr
    rep = shop.ok("order", "import", f, "--json").json()
    assert rep["created"] == 0 and rep["updated"] == 0 and rep["unchanged"] == 9 and rep["customers_created"] == 0
    assert {p.name: p.read_bytes() for p in (shop.data / "orders").iterdir()} == before


def test_both_woocommerce_layouts_give_the_same_orders(shop, tmp_path):
    a = shop.ok("order", "import", str(IMPORTS / "woocommerce_orders_export.csv"), "--json").json()
    assert a["format"] == "woocommerce" and a["created"] == 6 and a["problems"] == []
    first = {o["number"]: (o["total"], o["payment_state"], o["status"]) for o in shop.ok("order", "list", "--json").json()}
    items_a = {n: shop.ok("order", "show", n, "--json").json()["items"] for n in first}
    b = shop.ok("order", "import", str(IMPORTS / "woocommerce_orders_export_default_format_line_items_column.csv"), "--json").json()
    assert b["created"] == 0 and b["updated"] == 0 and b["unchanged"] == 6, b
    items_b = {n: shop.ok("order", "show", n, "--json").json()["items"] for n in first}
    assert items_a == items_b
    assert first["4813"][1] == "unpaid"  # cash on delivery, 'processing' before the money arrives
    assert any(len(v) > 1 for v in items_a.values())
    zestaw = [i for v in items_b.values() for i in v if i["sku"] == "ZES-KK"]
    assert zestaw and zestaw[0]["name"] == "Zestaw: kubek + kawa"


def test_bad_rows_are_reported_by_line_and_the_rest_import(shop, tmp_path):
    src = (IMPORTS / "woocommerce_orders_export.csv").read_text().splitlines()
    header, rows = src[0], src[1:]
    broken = rows[:]
    broken[0] = broken[0].replace(",2,60.00,", ",two,60.00,", 1)  # bad quantity on line 2
    f = tmp_path / "broken.csv"
    f.write_text("\n".join([header] + broken) + "\n")
    rep = shop.run("order", "import", str(f), "--json").json()
    assert rep["problems"] and rep["problems"][0]["line"] == 2 and "quantity" in rep["problems"][0]["message"]
    assert rep["created"] == 5
    r = shop.run("order", "import", str(f))
    assert f"{f}:2:" in r.stderr


def test_semicolon_cp1250_export_through_a_mapping_file(shop, tmp_path):
    csv_text = ("Nr;Klient;E-mail;Telefon;Produkt;Ilość;Cena;Status;Data\r\n"
                "Z/1;Zofia Żółć;zofia@example.pl;'+48 600 000 000;Herbata zielona;2;19,50;Nowe;21.11.2026 10:00\r\n"
                "Z/1;Zofia Żółć;zofia@example.pl;'+48 600 000 000;Czajnik;1;120,00;Nowe;21.11.2026 10:00\r\n"
                "Z/2;Jan;jan@example.pl;;Kubek;x;10,00;Wysłane;21.11.2026 11:00\r\n")
    f = tmp_path / "excel.csv"
    f.write_bytes(csv_text.encode("cp1250"))
    m = tmp_path / "mapping.toml"
    m.write_text('[csv]\ndate_format = "%d.%m.%Y %H:%M"\n[columns]\nnumber = "Nr"\nname = "Klient"\nemail = "E-mail"\n'
                 'phone = "Telefon"\nitem_name = "Produkt"\nqty = "Ilość"\nunit_price = "Cena"\nstatus = "Status"\ncreated = "Data"\n'
                 '[values.status]\n"Nowe" = "new"\n"Wysłane" = "shipped"\n[defaults]\ncurrency = "PLN"\n', encoding="utf-8")
    rep = shop.run("order", "import", str(f), "--mapping", str(m), "--json").json()
    assert rep["created"] == 1 and rep["problems"][0]["line"] == 4 and any("windows-1250" in n for n in rep["notices"])
    o = shop.ok("order", "show", "Z/1", "--json").json()
    assert o["total"] == "159.00" and len(o["items"]) == 2 and o["created"].startswith("2026-11-21T10:00:00+01:00")
    assert shop.ok("customer", "show", o["customer"], "--json").json()["name"] == "Zofia Żółć"


def test_unknown_header_needs_a_mapping(shop, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n")
    r = shop.run("order", "import", str(f))
    assert r.exit_code == 2 and "--mapping" in r.stderr
    assert shop.run("order", "import", str(tmp_path / "missing.csv")).exit_code == 2


def test_dry_run_writes_nothing(shop):
    rep = shop.ok("order", "import", str(IMPORTS / "shopify_orders_export.csv"), "--dry-run", "--json").json()
    assert rep["created"] == 9 and rep["dry_run"]
    assert list((shop.data / "orders").iterdir()) == []


def test_newer_export_updates_payment_but_not_local_status(shop, tmp_path):
    f = tmp_path / "w.csv"
    src = (IMPORTS / "woocommerce_orders_export.csv").read_text()
    f.write_text(src)
    shop.ok("order", "import", str(f))
    shop.ok("order", "confirm", "4812")
    f.write_text(src.replace(",on-hold,", ",processing,"))
    rep = shop.ok("order", "import", str(f), "--json").json()
    assert rep["updated"] == 1
    o = shop.ok("order", "show", "4812", "--json").json()
    assert o["payment"]["state"] == "paid" and o["status"] == "confirmed"

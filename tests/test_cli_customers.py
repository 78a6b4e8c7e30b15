"""`shopcare customer ...` through the real CLI on a real data directory."""



def test_add_prints_id_and_json_has_id(shop):
    assert shop.customer() == "C00001"
    r = shop.ok("customer", "add", "--name", "Jonas", "--email", "jonas@example.lt", "--country", "LT", "--json")
    data = r.json()
    assert data["id"] == "C00002" and data["language"] == "lt" and data["channel"] == "email"


def test_phone_is_normalised_with_the_right_region(shop):
    r = shop.ok("customer", "add", "--name", "Olga", "--phone", "8 (912) 345-67-89", "--country", "RU", "--json")
    assert r.json()["phone"] == "+79123456789" and r.json()["language"] == "ru" and r.json()["channel"] == "sms"
    r = shop.ok("customer", "add", "--name", "Ola", "--phone", "+48 600 000 000", "--json")
    assert r.json()["phone"] == "+48600000000"


def test_invalid_contact_is_refused_with_reason_and_nothing_written(shop):
    for args, words in [
        (["--email", "anna@"], "invalid email"),
        (["--phone", "8 (912) 345-67-89"], "invalid phone"),  # RU number, shop region PL
        (["--phone", "4.86E+11"], "spreadsheet"),
        (["--channel", "sms"], "needs a phone"),
        (["--lang", "de"], "language"),
        (["--name", "Evil\r\nBcc: x@y"], "control character"),
    ]:
        base = ["customer", "add", "--name", "Anna"] if "--name" not in args else ["customer", "add"]
        r = shop.run(*base, *args)
        assert r.exit_code == 2, (args, r.stderr)
        assert words in r.stderr, (args, r.stderr)
    assert shop.ok("customer", "list", "--json").json() == []
    assert list((shop.data / "customers").iterdir()) == []


def test_duplicate_email_is_refused_unless_allowed(shop):
    shop.customer(email="anna@example.pl")
    r = shop.run("customer", "add", "--name", "Anna 2", "--email", "ANNA@example.pl")
    assert r.exit_code == 1 and "C00001" in r.stderr
    shop.ok("customer", "add", "--name", "Anna 2", "--email", "anna@example.pl", "--allow-duplicate")


def test_requirements_show_on_every_order(shop):
    cid = shop.customer(requirements="Leave parcels with the neighbour at no. 5")
    shop.order("A1", cid)
    shop.order("A2", cid)
    for n in ("A1", "A2"):
        assert "Leave parcels with the neighbour" in shop.ok("order", "show", n).stdout
        assert shop.ok("order", "show", n, "--json").json()["requirements"].startswith("Leave parcels")


def test_edit_and_list_and_show(shop):
    cid = shop.customer()
    shop.ok("customer", "edit", cid, "--lang", "pl", "--phone", "+48 600 000 000", "--channel", "both")
    data = shop.ok("customer", "show", cid, "--json").json()
    assert data["language"] == "pl" and data["channel"] == "both" and data["version"] == 2
    rows = shop.ok("customer", "list", "--json").json()
    assert rows[0]["channel"] == "both"
    assert shop.run("customer", "edit", cid, "--if-version", "1", "--lang", "en").exit_code == 1
    assert shop.run("customer", "show", "C99999").exit_code == 4


def test_forget_erases_personal_data_and_keeps_order_facts(shop):
    cid = shop.customer(requirements="ring twice", phone="+48 600 000 000")
    shop.ok("order", "create", "A1", "--customer", cid, "--item", "MUG:1:10", "--currency", "PLN", "--address", "ul. Długa 1, Gdańsk", "--note", "call Anna")
    assert shop.run("customer", "forget", cid).exit_code == 2  # needs --yes without a terminal
    shop.ok("customer", "forget", cid, "--yes")
    everything = "".join(p.read_text() for p in shop.data.rglob("*") if p.is_file() and p.suffix in (".toml", ".jsonl"))
    for secret in ("Anna", "anna@example.pl", "600000000", "ring twice", "Długa", "call Anna"):
        assert secret not in everything, secret
    order = shop.ok("order", "show", "A1", "--json").json()
    assert order["total"] == "10" and order["customer"] == cid and order["items"][0]["sku"] == "MUG"
    assert shop.run("customer", "edit", cid, "--name", "X").exit_code == 1

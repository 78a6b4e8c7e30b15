"""Templates: four languages, shop overrides, a sandbox, strict variables, local formats."""

import pytest


def test_every_kind_renders_in_every_language_within_the_sms_limit(shop):
    r = shop.ok("template", "check", "--json")
    rows = r.json()
    from shopcare.notify.kinds import KINDS

    assert len(rows) == len(KINDS) * 4
    assert all(not row["problem"] for row in rows), [row for row in rows if row["problem"]]
    assert all(row["sms_parts"] <= 3 for row in rows)
    # Polish, Lithuanian and Cyrillic text is UCS-2; English stays GSM-7.
    enc = {(row["kind"], row["lang"]): row["sms_encoding"] for row in rows}
    assert enc[("order_confirmed", "en")] == "gsm7" and enc[("order_confirmed", "ru")] == "ucs2"


def test_preview_with_real_order_data_in_polish(shop):
    cid = shop.customer(name="Łukasz Wiśniewski", email="l@example.pl", lang="pl")
    shop.order("A1", cid, "--promised", "2026-11-27", "--delivery-cost", "12.50", "--delivery-method", "Kurier DPD")
    out = shop.ok("template", "render", "order_confirmed", "--lang", "pl", "--order", "A1", "--json").json()
    assert "A1" in out["subject"] and "Łukasz" in out["email"]
    assert "27 listopada 2026" in out["email"] and "12,50\xa0zł" in out["email"]
    assert out["sms_encoding"] == "ucs2" and 1 <= out["sms_parts"] <= 3 and "27.11.2026" in out["sms"]


@pytest.mark.parametrize("lang, words", [
    ("ru", ["27 ноября 2026", "₽"]), ("lt", ["2026 m. lapkričio 27 d."]), ("en", ["27 November 2026"])])
def test_dates_and_money_in_the_customers_locale(shop, lang, words):
    cid = shop.customer(email=f"{lang}@example.pl", lang=lang)
    shop.ok("order", "create", "A1", "--customer", cid, "--item", "X:1:2900", "--currency", "RUB", "--promised", "2026-11-27")
    out = shop.ok("template", "render", "order_confirmed", "--lang", lang, "--order", "A1", "--json").json()
    for w in words:
        assert w in out["email"], (w, out["email"])


def test_a_shop_overrides_a_template_by_dropping_a_file(shop):
    d = shop.data / "templates" / "en"
    d.mkdir(parents=True)
    (d / "order_confirmed.j2").write_text(
        '{% block subject %}Thanks! {{ order.number }}{% endblock %}'
        '{% block email %}Dear {{ customer.name }}, see you {{ order.promised|day }}.{% endblock %}'
        '{% block sms %}{{ order.number }} ok{% endblock %}')
    listed = {row["kind"]: row for row in shop.ok("template", "list", "--json").json()}
    assert listed["order_confirmed"]["overridden"] == ["en"]
    cid = shop.customer()
    shop.order("A1", cid, "--promised", "2026-11-27")
    shop.ok("order", "confirm", "A1")
    msg = shop.ok("outbox", "list", "--json").json()[0]
    body = shop.ok("outbox", "show", msg["id"], "--json").json()
    assert body["subject"] == "Thanks! A1" and "Friday, 27 November 2026" in body["body"]


def test_a_broken_override_is_named_and_changes_nothing(shop):
    d = shop.data / "templates" / "en"
    d.mkdir(parents=True)
    (d / "order_confirmed.j2").write_text('{% block subject %}{{ order.numbr }}{% endblock %}{% block email %}x{% endblock %}{% block sms %}x{% endblock %}')
    r = shop.run("template", "check")
    assert r.exit_code == 3 and "en/order_confirmed" in r.stdout and "numbr" in r.stdout
    shop.order("A1")
    r = shop.run("order", "confirm", "A1")
    assert r.exit_code == 3 and "numbr" in r.stderr
    assert shop.ok("order", "show", "A1", "--json").json()["status"] == "new"
    assert shop.ok("outbox", "list", "--json").json() == []


@pytest.mark.parametrize("evil", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ order.__class__ }}",
    "{{ cycler.__init__.__globals__.os.system('id') }}",
    "{% set x = shop.update({'name': 'pwned'}) %}{{ x }}",
])
def test_templates_cannot_reach_python_internals(shop, evil):
    d = shop.data / "templates" / "en"
    d.mkdir(parents=True)
    (d / "order_received.j2").write_text('{% block subject %}s{% endblock %}{% block email %}' + evil + '{% endblock %}{% block sms %}s{% endblock %}')
    r = shop.run("template", "render", "order_received")
    assert r.exit_code == 3, r.stdout
    assert "uid=" not in r.stdout and "subclasses" not in r.stdout.lower()


def test_unknown_kind_and_language_are_bad_input(shop):
    assert shop.run("template", "render", "nope").exit_code == 2
    assert shop.run("template", "render", "order_confirmed", "--lang", "de").exit_code == 2

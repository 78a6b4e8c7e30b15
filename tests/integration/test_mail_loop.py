"""Two shopcare shops writing to each other, plus an autoresponder that ignores RFC 3834 (it
answers everything, marks nothing, and starts a new thread each time): the number of messages
exchanged stays bounded."""

import email
import itertools
import shutil
from email import policy
from email.utils import parseaddr
from pathlib import Path

import pytest

from helpers import BASE_CONFIG, Shop

pytestmark = pytest.mark.integration


def make_shop(tmp_path: Path, name: str, address: str) -> Shop:
    root = tmp_path / name
    root.mkdir()
    cfg = root / "config.toml"
    cfg.write_text(BASE_CONFIG.replace('email = "shop@shop.example"', f'email = "{address}"')
                   + '\n[mailbox]\nsource = "maildir"\n[inquiries]\nmax_acks_per_sender_per_day = 5\n')
    shop = Shop(root=root, config=cfg, data=root / "data")
    shop.ok("init")
    shop.ok("mailbox", "poll", "--once")
    return shop


class Autoresponder:
    """Replies to every mail it gets, from a person-like address, with no RFC 3834 marks."""

    def __init__(self, address: str, inbox: Path) -> None:
        self.address, self.inbox = address, inbox
        self.counter = itertools.count()
        (inbox / "new").mkdir(parents=True, exist_ok=True)

    def run(self, deliver) -> int:
        n = 0
        for f in sorted((self.inbox / "new").iterdir()):
            m = email.message_from_bytes(f.read_bytes(), policy=policy.default)
            f.unlink()
            i = next(self.counter)
            reply = (f"From: Biuro <{self.address}>\r\nTo: {m['From']}\r\nSubject: Odpowiedz {i}: dziekujemy\r\n"
                     f"Message-ID: <auto{i}@bot.example>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\n"
                     "Dziekujemy za wiadomosc, odpiszemy wkrotce.\r\n").encode()
            deliver(reply)
            n += 1
        return n


def test_two_shops_and_a_rude_autoresponder_stay_bounded(tmp_path):
    a = make_shop(tmp_path, "a", "sklep@shop-a.example")
    b = make_shop(tmp_path, "b", "sklep@shop-b.example")
    bot = Autoresponder("biuro@bot.example", tmp_path / "bot")
    inboxes = {"sklep@shop-a.example": a.data / "inbox", "sklep@shop-b.example": b.data / "inbox",
               "biuro@bot.example": bot.inbox}
    counter = itertools.count()
    delivered = []

    def deliver(raw: bytes) -> None:
        m = email.message_from_bytes(raw, policy=policy.default)
        to = parseaddr(str(m["To"]))[1].lower()
        target = inboxes.get(to)
        if target is not None:
            (target / "new").mkdir(parents=True, exist_ok=True)
            (target / "new" / f"m{next(counter)}").write_bytes(raw)
            delivered.append(to)

    def route(shop: Shop) -> None:
        new = shop.data / "sent-mail" / "new"
        for f in sorted(new.iterdir()) if new.exists() else []:
            deliver(f.read_bytes())
            shutil.move(str(f), str(shop.data / "sent-mail" / "cur" / f.name))

    # Shop B writes to shop A like a customer would; the bot writes to both.
    deliver(b"From: Sklep B <sklep@shop-b.example>\r\nTo: sklep@shop-a.example\r\nSubject: Zamowienie hurtowe\r\n"
            b"Message-ID: <b-start@shop-b.example>\r\n\r\nDzien dobry, prosimy o cennik.\r\n")
    deliver(b"From: Biuro <biuro@bot.example>\r\nTo: sklep@shop-a.example\r\nSubject: Oferta\r\n"
            b"Message-ID: <bot-start-a@bot.example>\r\n\r\nDzien dobry.\r\n")
    deliver(b"From: Biuro <biuro@bot.example>\r\nTo: sklep@shop-b.example\r\nSubject: Oferta\r\n"
            b"Message-ID: <bot-start-b@bot.example>\r\n\r\nDzien dobry.\r\n")
    for _round in range(40):
        for shop in (a, b):
            shop.ok("mailbox", "poll", "--once", "--send")
            (shop.data / "sent-mail" / "cur").mkdir(parents=True, exist_ok=True)
            route(shop)
        bot.run(deliver)
    total = len(delivered)
    # Each shop acknowledges the bot at most max_acks_per_sender_per_day (5) times, and the bot
    # answers each acknowledgement once; shop A's one acknowledgement to shop B is marked
    # auto-replied, and B never answers it. So: the bot gets <= 5 + 5; each shop gets its first
    # mail(s) plus <= 5 bot replies; 3 + 10 + 10 + 1 = 24 at most, over 40 rounds.
    assert delivered.count("biuro@bot.example") <= 10
    assert delivered.count("sklep@shop-b.example") <= 1 + 1 + 5
    assert delivered.count("sklep@shop-a.example") <= 2 + 5
    assert total <= 24, total
    rules = {r["skip_rule"] for s in (a, b) for r in s.ok("inquiry", "list", "--all", "--json").json() if r["skip_rule"]}
    assert "loop_guard" in rules and ("own_message" in rules or "auto_submitted" in rules)

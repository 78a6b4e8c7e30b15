"""The floor: a bare script that IDLEs, fetches headers and sends a reply over one SMTP
connection, with no parsing, durability or screening (issue 6 measures shopcare against it)."""

import asyncio
import sys
from email.message import EmailMessage

import aiosmtplib
from imapclient import IMAPClient


async def main(imap_port: int, user: str, password: str, smtp_port: int) -> None:
    loop = asyncio.get_running_loop()
    c = IMAPClient("127.0.0.1", port=imap_port, ssl=False)
    c.login(user, password)
    info = c.select_folder("INBOX", readonly=True)
    last = int(info[b"UIDNEXT"]) - 1
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port, start_tls=False)
    await smtp.connect()
    print("ready", flush=True)
    while True:
        # Mail that arrived since the last SEARCH announces nothing during IDLE: check UIDNEXT first.
        if int(c.folder_status("INBOX", [b"UIDNEXT"])[b"UIDNEXT"]) - 1 <= last:
            c.idle()
            await loop.run_in_executor(None, c.idle_check, 1)
            c.idle_done()
        uids = [u for u in c.search(["UID", f"{last + 1}:*"]) if u > last]
        if not uids:
            continue
        for uid, data in c.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID FROM SUBJECT)]"]).items():
            head = data[b"BODY[HEADER.FIELDS (MESSAGE-ID FROM SUBJECT)]"].decode("latin-1")
            fields = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
            reply = EmailMessage()
            reply["From"], reply["To"] = "shop@example.pl", fields.get("From", "x@example.pl").strip()
            reply["Subject"] = "Re: " + fields.get("Subject", "").strip()
            reply["In-Reply-To"] = fields.get("Message-ID", "").strip()
            reply.set_content("Thanks, we will answer soon.")
            await smtp.send_message(reply)
        last = max(uids)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])))

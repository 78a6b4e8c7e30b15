"""An SMTP server that writes "<arrival time> <In-Reply-To>" per accepted mail (a benchmark's clock)."""

import sys
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        irt = b""
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"in-reply-to:"):
                irt = line.split(b":", 1)[1].strip()
        self.out.write(f"{now:.6f} {irt.decode('latin-1')}\n")
        self.out.flush()
        return "250 OK"


if __name__ == "__main__":
    port, path = int(sys.argv[1]), sys.argv[2]
    out = open(path, "a", buffering=1)
    c = Controller(Handler(out), hostname="127.0.0.1", port=port)
    c.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass

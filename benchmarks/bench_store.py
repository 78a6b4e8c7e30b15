"""Issue 3 figures: listing 100k orders vs grep, importing 20k orders, CLI start-up vs bare Typer."""

from __future__ import annotations

import csv
import random
import subprocess
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from common import PY, SHOPCARE, figure, heading, median, scratch, time_cmd

STATUSES = ["new", "confirmed", "shipped", "delivered", "completed", "cancelled"]

MINI_TYPER = '''
import typer
app = typer.Typer()
@app.command()
def hello(name: str = "x"):
    print(name)
@app.command()
def bye():
    print("bye")
app()
'''


def generate_orders(data: Path, n: int) -> None:
    """Write n order records (and 5,000 customers) straight through the codec, then reindex."""
    from shopcare.model.customer import Customer
    from shopcare.model.order import DeliveryTerms, Item, Order, Payment
    from shopcare.store import Store
    from shopcare.store import codec

    store, _ = Store.init(data)
    rng = random.Random(1)
    tz = timezone(timedelta(hours=1))
    start = datetime(2025, 1, 1, tzinfo=tz)
    for c in range(5000):
        cust = Customer(id=f"C{c + 1:05d}", name=f"Customer {c}", created=start, updated=start, version=1,
                        email=f"c{c}@example.pl", language="pl")
        (data / "customers" / f"{cust.id}.toml").write_text(codec.dumps(cust))
    for i in range(n):
        created = start + timedelta(minutes=7 * i)
        o = Order(number=f"A{100000 + i}", customer=f"C{i % 5000 + 1:05d}", currency="PLN", created=created,
                  updated=created, version=1, status=rng.choice(STATUSES), total=Decimal("123.45"),
                  items=[Item("TEA-01", "Sencha 100 g", 2, Decimal("39.00")), Item("CUP-01", "Cup", 1, Decimal("45.45"))],
                  payment=Payment("transfer", "paid"), delivery=DeliveryTerms("InPost", Decimal("0"), None))
        (data / "orders" / f"{o.number}.toml").write_text(codec.dumps(o))
    t = time.perf_counter()
    counts = store.reindex()
    figure(f"reindex of {counts['order']} orders + {counts['customer']} customers", f"{time.perf_counter() - t:.1f} s")
    store.close()


def bench_listing(n: int = 100_000) -> None:
    heading(f"order list --status confirmed over {n:,} orders vs grep -rl")
    base = scratch("list")
    data = base / "data"
    t = time.perf_counter()
    generate_orders(data, n)
    figure("generated the data dir", f"{time.perf_counter() - t:.1f} s")
    env = {"SHOPCARE_DATA_DIR": str(data), "SHOPCARE_CONFIG": ""}
    env.pop("SHOPCARE_CONFIG")
    ours = time_cmd(SHOPCARE + ["--data-dir", str(data), "order", "list", "--status", "confirmed"], runs=11)
    grep = time_cmd(["grep", "-rl", 'status = "confirmed"', str(data / "orders")], runs=11, warmup=2)
    count = subprocess.run(SHOPCARE + ["--data-dir", str(data), "order", "list", "--status", "confirmed"],
                           capture_output=True, text=True).stdout.count("\n")
    gcount = subprocess.run(["grep", "-rl", 'status = "confirmed"', str(data / "orders")], capture_output=True, text=True).stdout.count("\n")
    figure("orders listed (shopcare / grep)", f"{count:,} / {gcount:,}")
    figure("shopcare order list --status confirmed, median", f"{median(ours) * 1000:.0f} ms")
    figure("grep -rl 'status = \"confirmed\"', median", f"{median(grep) * 1000:.0f} ms")
    figure("ratio shopcare / grep (target <= 1.0, and under 0.5 s)", f"{median(ours) / median(grep):.2f}x")


def write_shopify_csv(path: Path, n: int) -> None:
    header = (Path(__file__).resolve().parent.parent / "tests/data/imports/shopify_orders_export.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    rng = random.Random(2)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        for i in range(n):
            items = rng.randint(1, 3)
            for j in range(items):
                row = {"Name": f"#{200000 + i}", "Email": f"buyer{i % 8000}@example.pl", "Created at": "2026-11-20 10:15:03 +0100",
                       "Lineitem quantity": "1", "Lineitem name": f"Item {j}", "Lineitem price": "19.90", "Lineitem sku": f"SKU-{j}"}
                if j == 0:
                    row.update({"Financial Status": rng.choice(["paid", "pending"]), "Fulfillment Status": "unfulfilled",
                                "Currency": "PLN", "Total": f"{19.90 * items:.2f}", "Shipping": "0.00", "Shipping Method": "InPost",
                                "Billing Name": f"Buyer {i % 8000}", "Billing Phone": f"+48 600 {i % 1000:03d} {i % 997:03d}",
                                "Billing Country": "PL", "Payment Method": "Bank Deposit"})
                w.writerow(row)


def bench_import(n: int = 20_000) -> None:
    heading(f"order import of a {n:,}-order Shopify export")
    base = scratch("import")
    csv_path = base / "orders_export.csv"
    write_shopify_csv(csv_path, n)
    data = base / "data"
    subprocess.run(SHOPCARE + ["--data-dir", str(data), "init"], check=True, capture_output=True)
    t = time.perf_counter()
    r = subprocess.run(SHOPCARE + ["--data-dir", str(data), "order", "import", str(csv_path), "--json"], capture_output=True, text=True)
    first = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run(SHOPCARE + ["--data-dir", str(data), "order", "import", str(csv_path)], capture_output=True, text=True)
    again = time.perf_counter() - t
    import json

    rep = json.loads(r.stdout)
    figure("orders created / customers created", f"{rep['created']:,} / {rep['customers_created']:,}")
    figure("first import", f"{first:.1f} s = {n / first:,.0f} orders/s")
    figure("re-import of the same file (nothing changes)", f"{again:.1f} s = {n / again:,.0f} orders/s")


def bench_startup() -> None:
    heading("start-up: shopcare vs a minimal two-command Typer app (same Typer, same run)")
    # Bytecode as a regular install has it (Typer's is compiled by pip; an editable shopcare is not).
    subprocess.run([PY, "-m", "compileall", "-q", str(Path(__file__).resolve().parent.parent / "src" / "shopcare")], check=True)
    base = scratch("startup")
    mini = base / "mini.py"
    mini.write_text(MINI_TYPER)
    data = base / "data"
    subprocess.run(SHOPCARE + ["--data-dir", str(data), "init"], check=True, capture_output=True)
    subprocess.run(SHOPCARE + ["--data-dir", str(data), "customer", "add", "--name", "A", "--email", "a@example.pl"], check=True, capture_output=True)
    subprocess.run(SHOPCARE + ["--data-dir", str(data), "order", "create", "A1", "--customer", "C00001", "--item", "X:1:1",
                               "--currency", "PLN"], check=True, capture_output=True)
    exe = str(Path(PY).parent / "shopcare")
    runs = 21
    # Interleave the three commands so drift in machine load hits them alike.
    res = {"mini": [], "help": [], "show": []}
    cmds = {"mini": [PY, str(mini), "hello"], "help": [exe, "--help"], "show": [exe, "--data-dir", str(data), "order", "show", "A1"]}
    for name in cmds:
        time_cmd(cmds[name], runs=1, warmup=2)
    for _ in range(runs):
        for name, cmd in cmds.items():
            res[name] += time_cmd(cmd, runs=1, warmup=0)
    m = median(res["mini"])
    figure("python -c pass, median", f"{median(time_cmd([PY, '-c', 'pass'], runs=11)) * 1000:.0f} ms")
    figure("minimal Typer app running one command, median", f"{m * 1000:.0f} ms")
    figure("shopcare --help, median", f"{median(res['help']) * 1000:.0f} ms = {median(res['help']) / m:.2f}x (target <= 1.3x)")
    figure("shopcare order show A1, median", f"{median(res['show']) * 1000:.0f} ms = {median(res['show']) / m:.2f}x (target <= 1.3x)")


ALL = {"startup": bench_startup, "listing": bench_listing, "import": bench_import}

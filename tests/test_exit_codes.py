"""One exit code per kind of outcome, the same for every command (README: Exit codes)."""

from shopcare.errors import ExitStatus


def test_the_codes_are_what_the_readme_says():
    assert [int(s) for s in ExitStatus] == [0, 1, 2, 3, 4]


def test_0_ok_1_refused_2_bad_input_3_environment_4_not_found(shop, tmp_path):
    cid = shop.customer()
    shop.order("A1", cid)
    assert shop.run("order", "show", "A1").exit_code == 0
    # 1: a rule refused it (illegal transition, stale version, duplicate).
    assert shop.run("order", "note", "A1", "x", "--if-version", "99").exit_code == 1
    shop.ok("order", "confirm", "A1")
    assert shop.run("order", "confirm", "A1", "--if-version", "1").exit_code == 1
    assert shop.run("order", "cancel", "A1", "--reason", "x", "--if-version", "1").exit_code == 1
    assert shop.run("order", "create", "A1", "--customer", cid, "--item", "X:1:1", "--currency", "PLN").exit_code == 1
    # 2: bad input (usage, invalid value, unsafe id).
    assert shop.run("order", "show").exit_code == 2
    assert shop.run("order", "show", "../../etc/passwd").exit_code == 2
    assert shop.run("customer", "add", "--name", "X", "--email", "not-an-email").exit_code == 2
    assert shop.run("order", "list", "--frobnicate").exit_code == 2
    # 3: configuration, environment or a damaged store.
    bad = tmp_path / "bad.toml"
    bad.write_text("[shop\n")
    assert shop.run("--config", str(bad), "order", "list").exit_code == 3
    assert shop.run("--data-dir", str(tmp_path / "none"), "order", "list").exit_code == 3
    # 4: not found.
    assert shop.run("order", "show", "A404").exit_code == 4
    assert shop.run("customer", "show", "C404").exit_code == 4
    assert shop.run("outbox", "show", "0" * 24).exit_code == 4


def test_a_version_check_passes_when_the_version_is_current(shop):
    shop.order("A1")
    v = shop.ok("order", "show", "A1", "--json").json()["version"]
    shop.ok("order", "note", "A1", "first", "--if-version", str(v))
    assert shop.ok("order", "show", "A1", "--json").json()["version"] == v + 1


def test_errors_go_to_stderr_and_results_to_stdout(shop):
    r = shop.run("order", "show", "A404")
    assert r.stdout == "" and r.stderr.startswith("shopcare: error: ")
    cid = shop.customer()
    r = shop.run("customer", "show", cid, "--json")
    assert r.stderr == "" and r.stdout.startswith("{")

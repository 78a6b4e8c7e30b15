"""Configuration: embedded defaults, where the file and data dir come from, and `config check`."""

import os
import re
import tomllib

from shopcare.config_schema import SCHEMA, STAFF_KEYS
from helpers import ROOT


def test_example_config_documents_every_key_and_passes_check(shop):
    text = (ROOT / "config.example.toml").read_text()
    data = tomllib.loads(text)
    for section, keys in SCHEMA.items():
        given = data if section == "" else data.get(section, {})
        for key in keys:
            assert key in given, f"config.example.toml lacks {section}.{key}"
    for key in STAFF_KEYS:
        assert key in data["inquiries"]["staff"][0], f"config.example.toml lacks inquiries.staff.{key}"
    # Every key, or the group of keys it belongs to, has a comment above it.
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[a-z_]+ = ", line):
            j = i - 1
            while j >= 0 and (re.match(r"^[a-z_]+ = ", lines[j]) or lines[j].startswith("[")):
                j -= 1
            assert j >= 0 and lines[j].startswith("#"), f"undocumented: {line}"
    r = shop.run("--config", str(ROOT / "config.example.toml"), "config", "check")
    assert r.exit_code == 0, r.stdout + r.stderr


def test_check_names_each_bad_key_and_reason(shop, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[shop]\ncountry = "Poland"\nnmae = "x"\n[email]\nport = "587"\nsecurity = "ssl"\n'
                   '[inquiries]\nresponse_time = "soon"\n[[inquiries.staff]]\nname = "Kasia"\nphone = "123"\n')
    r = shop.run("--config", str(bad), "config", "check", "--json")
    assert r.exit_code == 3
    problems = {p["key"]: p["reason"] for p in r.json()["problems"]}
    assert "two-letter" in problems["shop.country"]
    assert "did you mean 'name'" in problems["shop.nmae"]
    assert "whole number" in problems["email.port"]
    assert "starttls" in problems["email.security"]
    assert "duration" in problems["inquiries.response_time"]
    assert "invalid phone" in problems["inquiries.staff[0].phone"]
    # Every other command refuses to run on it, naming the problems.
    r = shop.run("--config", str(bad), "order", "list")
    assert r.exit_code == 3 and "shop.country" in r.stderr


def test_broken_toml_names_the_line(shop, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[shop]\nname = "x\n')
    r = shop.run("--config", str(bad), "config", "check")
    assert r.exit_code == 3 and "line 2" in r.stdout + r.stderr


def test_no_config_at_all_runs_on_defaults(tmp_path, monkeypatch):
    from typer.testing import CliRunner
    from shopcare.cli import app

    home = tmp_path / "home"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
           "SHOPCARE_CONFIG": None, "SHOPCARE_DATA_DIR": None}
    r = CliRunner().invoke(app, ["init"], env=env)
    assert r.exit_code == 0, r.output
    assert (home / ".local/share/shopcare/shopcare-data.toml").exists()
    r = CliRunner().invoke(app, ["config", "check"], env=env)
    assert r.exit_code == 0 and "embedded defaults" in r.stderr


def test_data_dir_precedence(tmp_path):
    from shopcare import config as config_mod

    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text('data_dir = "rel"\n')
    cfg = config_mod.load(cfg_file)
    env = os.environ.pop("SHOPCARE_DATA_DIR", None)
    try:
        assert config_mod.resolve_data_dir(None, cfg) == tmp_path / "rel"
        os.environ["SHOPCARE_DATA_DIR"] = str(tmp_path / "env")
        assert config_mod.resolve_data_dir(None, cfg) == tmp_path / "env"
        assert config_mod.resolve_data_dir(str(tmp_path / "flag"), cfg) == tmp_path / "flag"
    finally:
        os.environ.pop("SHOPCARE_DATA_DIR", None)
        if env is not None:
            os.environ["SHOPCARE_DATA_DIR"] = env


def test_missing_named_config_is_an_error(shop, tmp_path):
    r = shop.run("--config", str(tmp_path / "nope.toml"), "order", "list")
    assert r.exit_code == 3 and "does not exist" in r.stderr


def test_world_readable_credential_file_is_warned_about(shop, tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text("hunter2")
    secret.chmod(0o644)
    shop.add_config(f'[email]\npassword_file = "{secret}"\n')
    r = shop.run("config", "check")
    assert "readable by other users" in r.stderr and "hunter2" not in r.stderr + r.stdout

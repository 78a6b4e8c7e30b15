"""Loading and validating the shop's configuration (one TOML file, see config.example.toml).

No config at all is fine: every key has an embedded default that runs shopcare with no server
(local Maildir in, .eml and JSON-lines files out). Secrets are never stored in the config: it
names an environment variable or a file (systemd credentials) that holds them.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib
from pathlib import Path
from typing import Any

from shopcare.config_schema import SCHEMA, STAFF_KEYS, Key
from shopcare.errors import ConfigError, ShopcareError


class Section(dict):
    """A config section: `cfg.shop.name`, or `cfg.email["from"]` for keyword names."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class StaffMember:
    """A person alerted about inquiries, deadlines and failed messages."""

    def __init__(self, name: str, email: str = "", phone: str = "", channel: str = "email", on_duty: str = "") -> None:
        self.name, self.email, self.phone, self.channel, self.on_duty = name, email, phone, channel, on_duty

    def __repr__(self) -> str:
        return f"StaffMember({self.name!r}, channel={self.channel!r})"


class Config:
    """Validated configuration; `path` is None when running on embedded defaults."""

    def __init__(self, sections: dict[str, Section], path: Path | None = None, raw: dict[str, Any] | None = None,
                 staff: list[StaffMember] | None = None) -> None:
        self.sections = sections
        self.path = path
        self.raw = raw or {}
        self.staff = staff or []
        self.warnings: list[str] = []

    def __getattr__(self, name: str) -> Section:
        sections = self.__dict__.get("sections", {})
        if name in sections:
            return sections[name]
        raise AttributeError(name)

    @property
    def data_dir(self) -> str:
        return self.sections[""]["data_dir"]

    def secret(self, section: str, prefix: str = "password") -> str | None:
        """The secret named by `<prefix>_env` / `<prefix>_file` of a section, or None.

        Raises ConfigError (naming the key, never the value) when the named source is missing.
        """
        sec = self.sections[section]
        env_name = sec.get(f"{prefix}_env", "")
        file_name = sec.get(f"{prefix}_file", "")
        if file_name:
            path = Path(os.path.expandvars(file_name))
            try:
                return path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"[{section}] {prefix}_file: cannot read {path}: {exc.strerror}",
                    [(f"{section}.{prefix}_file", f"cannot read {path}")],
                ) from None
        if env_name:
            value = os.environ.get(env_name)
            if value is None:
                raise ConfigError(
                    f"[{section}] {prefix}_env: environment variable {env_name} is not set",
                    [(f"{section}.{prefix}_env", f"{env_name} is not set")],
                )
            return value
        return None


def _type_name(t: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}
    if isinstance(t, tuple):
        return " or ".join(dict.fromkeys(names.get(x, x.__name__) for x in t))
    return names.get(t, t.__name__)


def _convert(key: Key, value: Any) -> Any:
    expected = key.type if isinstance(key.type, tuple) else (key.type,)
    # bool is an int in Python; a config that says `port = true` is a mistake.
    if isinstance(value, bool) and bool not in expected:
        raise ValueError(f"expected {_type_name(key.type)}, got true/false")
    if not isinstance(value, expected):
        raise ValueError(f"expected {_type_name(key.type)}, got {type(value).__name__}")
    return key.check(value) if key.check else value


def _suggest(name: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def validate(raw: dict[str, Any]) -> tuple[dict[str, Section], list[StaffMember], list[tuple[str, str]]]:
    """Check a parsed config; returns the sections, staff and every (key, reason) problem."""
    problems: list[tuple[str, str]] = []
    sections: dict[str, Section] = {}
    for sec_name, keys in SCHEMA.items():
        values = Section()
        given = raw if sec_name == "" else raw.get(sec_name, {})
        if sec_name and not isinstance(given, dict):
            problems.append((sec_name, "must be a table like [" + sec_name + "]"))
            given = {}
        for key_name, key in keys.items():
            dotted = f"{sec_name}.{key_name}" if sec_name else key_name
            if key_name in given:
                try:
                    values[key_name] = _convert(key, given[key_name])
                    continue
                except ValueError as exc:
                    problems.append((dotted, str(exc)))
            values[key_name] = _convert(key, key.default) if key.check else key.default
        sections[sec_name] = values
    carriers = raw.get("carriers", {})
    if isinstance(carriers, dict):
        # A free-form table: carrier name -> tracking link with {tracking} in it.
        for carrier, url in carriers.items():
            if not isinstance(url, str) or "{tracking}" not in url or not url.startswith(("http://", "https://")):
                problems.append((f"carriers.{carrier}", "must be a link like \"https://.../track/{tracking}\""))
            else:
                sections["carriers"][carrier] = url
    for name, value in raw.items():
        if name == "carriers":
            continue
        if name in SCHEMA and name != "":
            for key_name in value if isinstance(value, dict) else ():
                if key_name not in SCHEMA[name]:
                    problems.append((f"{name}.{key_name}", "unknown key" + _suggest(key_name, SCHEMA[name])))
        elif name not in SCHEMA[""]:
            known = [k for k in SCHEMA if k] + list(SCHEMA[""])
            problems.append((name, "unknown key or section" + _suggest(name, known)))
    staff: list[StaffMember] = []
    for i, entry in enumerate(sections["inquiries"].get("staff", [])):
        where = f"inquiries.staff[{i}]"
        if not isinstance(entry, dict):
            problems.append((where, "each staff member must be a table [[inquiries.staff]]"))
            continue
        member: dict[str, Any] = {}
        for key_name, value in entry.items():
            if key_name not in STAFF_KEYS:
                problems.append((f"{where}.{key_name}", "unknown key" + _suggest(key_name, STAFF_KEYS)))
                continue
            key = STAFF_KEYS[key_name]
            try:
                member[key_name] = value if key_name == "on_duty" and value == "" else _convert(key, value)
            except ValueError as exc:
                problems.append((f"{where}.{key_name}", str(exc)))
        if not member.get("name"):
            problems.append((f"{where}.name", "every staff member needs a name"))
            continue
        if not member.get("email") and not member.get("phone"):
            problems.append((where, f"staff member {member['name']!r} has neither email nor phone"))
        staff.append(StaffMember(**member))
    for i, kind in enumerate(sections["notify"]["quiet_hours_exempt"]):
        if not isinstance(kind, str):
            problems.append((f"notify.quiet_hours_exempt[{i}]", "must be a message kind name"))
    for i, d in enumerate(sections["deadlines"]["payment_reminder_after"]):
        try:
            from shopcare.config_schema import parse_duration

            parse_duration(d)
        except ValueError as exc:
            problems.append((f"deadlines.payment_reminder_after[{i}]", str(exc)))
    return sections, staff, problems


def _warn_if_world_readable(path: Path, what: str, warnings: list[str]) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        warnings.append(f"{what} {path} is readable by other users: chmod o-rwx {path}")


def read_raw(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist", [("--config", f"{path} not found")]) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        return tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}", [("(syntax)", str(exc))]) from None


def _user_dir(kind: str) -> Path:
    """The platform's per-user config or data dir for shopcare (platformdirs' answer).

    On Linux this is the XDG Base Directory rule itself, computed here because importing
    platformdirs costs a few milliseconds on every command that has no --config.
    """
    if sys.platform.startswith("linux"):
        env, fallback = {"config": ("XDG_CONFIG_HOME", "~/.config"), "data": ("XDG_DATA_HOME", "~/.local/share")}[kind]
        base = os.environ.get(env, "").strip() or os.path.expanduser(fallback)
        return Path(base) / "shopcare"
    import platformdirs

    return Path(platformdirs.user_config_dir("shopcare") if kind == "config" else platformdirs.user_data_dir("shopcare"))


def default_config_path() -> Path:
    return _user_dir("config") / "config.toml"


def find_config_path(explicit: str | os.PathLike | None) -> tuple[Path | None, bool]:
    """The config file to read and whether it must exist (named by the user)."""
    if explicit:
        return Path(explicit), True
    env = os.environ.get("SHOPCARE_CONFIG")
    if env:
        return Path(env), True
    default = default_config_path()
    return (default, False) if default.exists() else (None, False)


def load(explicit: str | os.PathLike | None = None, *, strict: bool = True) -> Config:
    """Load and validate the config; raises ConfigError listing every problem."""
    path, _must_exist = find_config_path(explicit)
    raw = read_raw(path) if path else {}
    sections, staff, problems = validate(raw)
    if problems and strict:
        lines = "\n".join(f"  {k}: {r}" for k, r in problems)
        raise ConfigError(
            f"{path}: {len(problems)} problem(s) in the configuration:\n{lines}",
            problems,
            hint="`shopcare config check` lists them; config.example.toml documents every key",
        )
    cfg = Config(sections=sections, path=path, raw=raw, staff=staff)
    for sec in ("email", "sms", "mailbox", "probe"):
        for key, value in sections[sec].items():
            if key.endswith("_file") and value:
                _warn_if_world_readable(Path(os.path.expandvars(value)), f"[{sec}] {key}", cfg.warnings)
    if cfg.warnings and strict:
        for w in cfg.warnings:
            print(f"shopcare: warning: {w}", file=sys.stderr)
    return cfg


def resolve_data_dir(explicit: str | os.PathLike | None, cfg: Config) -> Path:
    """--data-dir, else SHOPCARE_DATA_DIR, else the config's data_dir, else the user data dir."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("SHOPCARE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    if cfg.data_dir:
        p = Path(os.path.expandvars(cfg.data_dir)).expanduser()
        if not p.is_absolute() and cfg.path is not None:
            p = cfg.path.parent / p
        return p
    return _user_dir("data")


def check_problems(path: Path | None) -> list[tuple[str, str]]:
    """Every problem of a config file, including those that need the network-free deep checks."""
    raw = read_raw(path) if path else {}
    sections, staff, problems = validate(raw)
    from shopcare.model.contact import normalize_phone, validate_email

    country = sections["shop"]["country"]
    for key in ("email",):
        value = sections["shop"][key]
        if value:
            try:
                validate_email(value)
            except ShopcareError as exc:
                problems.append((f"shop.{key}", exc.message))
    for sec, key in (("email", "from"), ("email", "reply_to"), ("probe", "from"), ("probe", "to")):
        value = sections[sec][key]
        if value:
            addr = re.sub(r".*<([^>]*)>.*", r"\1", value)
            try:
                validate_email(addr)
            except ShopcareError as exc:
                problems.append((f"{sec}.{key}", exc.message))
    if sections["shop"]["phone"]:
        try:
            normalize_phone(sections["shop"]["phone"], country)
        except ShopcareError as exc:
            problems.append(("shop.phone", exc.message))
    for i, member in enumerate(staff):
        if member.email:
            try:
                validate_email(member.email)
            except ShopcareError as exc:
                problems.append((f"inquiries.staff[{i}].email", exc.message))
        if member.phone:
            try:
                normalize_phone(member.phone, country)
            except ShopcareError as exc:
                problems.append((f"inquiries.staff[{i}].phone", exc.message))
    if sections["sms"]["provider"] == "smsapi" and not (sections["sms"]["token_env"] or sections["sms"]["token_file"]):
        problems.append(("sms.token_env", "the smsapi provider needs token_env or token_file"))
    if sections["email"]["transport"] == "smtp" and sections["email"]["username"]:
        if not (sections["email"]["password_env"] or sections["email"]["password_file"]):
            problems.append(("email.password_env", "an SMTP username needs password_env or password_file"))
    if sections["mailbox"]["source"] == "imap" and not sections["mailbox"]["username"]:
        problems.append(("mailbox.username", "the imap source needs a username"))
    return problems

"""Ids are checked before they touch the filesystem and map to safe, reversible file names."""

import pytest

from shopcare.errors import UnsafeId
from shopcare.ids import from_filename, to_filename, validate_id


@pytest.mark.parametrize("raw, expected", [
    ("A1001", "A1001"), ("#1001", "1001"), ("2026/11/0042", "2026/11/0042"), ("ZAM-2026.11+7", "ZAM-2026.11+7"),
])
def test_shop_forms_are_kept(raw, expected):
    assert validate_id(raw) == expected


@pytest.mark.parametrize("raw", [
    "../x", "/etc/passwd", "a/../../b", "a\x00b", "a\nb", "a\rb", "\x1b[31m", "x" * 65, "", "#", ".hidden",
    "a//b", "a/", "spaces in id", "zamówienie", "a;rm -rf", "C:\\x",
])
def test_unsafe_ids_are_refused(raw):
    with pytest.raises(UnsafeId):
        validate_id(raw)


@pytest.mark.parametrize("raw", ["A1001", "2026/11/0042", "a.b", "x+y:z", "1.0"])
def test_filenames_round_trip_and_stay_in_one_directory(raw):
    name = to_filename(raw)
    assert "/" not in name and not name.startswith(".") and name not in ("", ".", "..")
    assert from_filename(name) == raw


def test_slash_is_percent_encoded():
    assert to_filename("2026/11/0042") == "2026%2F11%2F0042"

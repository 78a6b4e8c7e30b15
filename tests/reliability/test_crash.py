"""SIGKILL the daemon at random moments while mail arrives and the outbox drains: afterwards
every mail is recorded exactly once, every acknowledgement it is owed was sent, and a mail is
acknowledged twice only inside the documented window (server accepted, claim not yet moved).
`benchmarks/run.py reliability` does the same with hundreds of kills."""

import pytest

import crashrun

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_sigkill_at_random_moments(shop, imap, smtp):
    shop.add_config(imap.config())
    shop.add_config(smtp.config())
    shop.add_config('[daemon]\nheartbeat_interval = "0.2s"\n')
    result = crashrun.run(shop.config, shop.data, imap, smtp, {"TEST_IMAP_PASSWORD": "shop-pass"},
                          mails=240, kills=30)
    print("\n" + result.summary())
    assert result.kills == 30 and result.mails == 240
    assert result.not_recorded == [] and result.recorded_twice == {}, "each mail recorded exactly once"
    assert result.never_acked == [], f"{len(result.never_acked)} mail(s) never acknowledged"
    assert result.dead == 0
    assert result.duplicates_outside_window == []
    assert result.duplicates <= result.kills

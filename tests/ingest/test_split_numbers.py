"""Mobile numbers split by commas, full stops or fillers, and the look-alikes that must stay."""

from __future__ import annotations

import pytest

from salesbrain.ingest.redact import redact


@pytest.mark.parametrize(("text", "value"), [
    ("电话138，0013，8000", "138，0013，8000"),
    ("我手机 138。0013。8000", "138。0013。8000"),
    ("电话是138，后面0013，8000", "138，后面0013，8000"),
    ("打我电话：138、0013、8000", "138、0013、8000"),
    ("我电话一三八，零零一三，八零零零", "一三八，零零一三，八零零零"),
    ("手机1380013，8000", "1380013，8000"),
    ("138再加00138000", "138再加00138000"),
    ("139 然后是2465 再然后0817", "139 然后是2465 再然后0817"),
])
def test_split_mobile_is_redacted_whole(text: str, value: str) -> None:
    assert [(s.kind, text[s.start:s.end]) for s in redact(text).spans] == [("mobile", value)]


def test_two_split_mobiles_after_one_cue() -> None:
    text = "手机138，0013，8000，139，0013，9000"
    assert [s.kind for s in redact(text).spans] == ["mobile", "mobile"]


@pytest.mark.parametrize("text", [
    "价格138，2999，1999",        # prices listed with commas, no phone cue
    "138，0013，8000",            # no cue: commas usually separate numbers
    "3件，5折，138元",
    "尺码160，165，170",
    "电话138，0013，8000 1234",   # more digits follow: not an eleven-digit number
])
def test_comma_separated_numbers_stay_apart(text: str) -> None:
    assert redact(text).spans == ()

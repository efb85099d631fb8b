"""The log's backstop: personal data patterns never reach the log file."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from reviewer.app import setup_logging
from reviewer.core.log_privacy import MASK, mask


def test_patterns_are_masked_and_ids_are_not() -> None:
    line = (
        "item 3f2a9c1e-77b0-4d4b-9a51-0c2b6f1d9e10 took 12.5 ms on page 4; "
        "SSN 123-45-6789, mail jane.doe+x@example.co.uk, phone (415) 555-0132, "
        "+1 415 555 0199, card 4111 1111 1111 1111, account 000123456789012"
    )
    masked = mask(line)
    for secret in (
        "123-45-6789",
        "jane.doe+x@example.co.uk",
        "555-0132",
        "555 0199",
        "4111 1111 1111 1111",
        "000123456789012",
    ):
        assert secret not in masked
    assert "3f2a9c1e-77b0-4d4b-9a51-0c2b6f1d9e10" in masked
    assert "12.5 ms on page 4" in masked
    assert masked.count(MASK) == 6


def test_the_log_file_holds_no_personal_data_even_in_a_traceback(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    log = logging.getLogger("reviewer")
    earlier = [h for h in log.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    for handler in earlier:  # setup_logging adds its file once per process
        log.removeHandler(handler)
    setup_logging(logs)
    try:
        raise ValueError("bad line: SSN 987-65-4321 for bob@example.com")
    except ValueError:
        log.exception("import failed for item %s", "item-7")
    for handler in log.handlers:
        handler.flush()
    text = (logs / "reviewer.log").read_text()
    assert "item-7" in text
    assert "987-65-4321" not in text
    assert "bob@example.com" not in text
    assert "ValueError" in text
    for handler in list(log.handlers):
        if getattr(handler, "baseFilename", "").startswith(str(logs)):
            log.removeHandler(handler)
            handler.close()
    for handler in earlier:
        log.addHandler(handler)

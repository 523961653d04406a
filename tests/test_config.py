"""The config file: defaults, overrides, RAG label mapping."""

import pytest

from config import Config, get_config, parse_config
from models import normalise_rag


def test_shipped_config_equals_defaults():
    shipped = get_config()
    assert shipped.schedule == Config().schedule
    assert shipped.cost == Config().cost
    assert shipped.risk.bands == {"low": 1, "medium": 5, "high": 10, "critical": 15}
    assert shipped.staleness.cadence_days == 7


@pytest.mark.parametrize(
    ("label", "rag"),
    [
        ("Green", "Green"),
        (" amber/green ", "Amber"),
        ("Amber / Red", "Red"),
        ("RED", "Red"),
        ("On Hold", "Grey"),
        ("At risk", "Amber"),
        ("Off track", "Red"),
        ("g", "Green"),
        ("", None),
        (None, None),
        ("Banana", None),
    ],
)
def test_normalise_rag(label, rag):
    assert normalise_rag(label) == rag


def test_custom_labels_extend_the_table():
    cfg = parse_config({"rag_labels": {"Watch": "Amber"}})
    assert normalise_rag("watch", cfg) == "Amber"
    assert normalise_rag("Green", cfg) == "Green"
    with pytest.raises(ValueError, match="must map to"):
        parse_config({"rag_labels": {"x": "Purple"}})


def test_config_file_is_read_from_env(tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text("[staleness]\ngrace_days = 10\n")
    monkeypatch.setenv("PMO_CONFIG", str(path))
    assert get_config().staleness.grace_days == 10


def test_shipped_ingest_settings_equal_defaults():
    ingest = get_config().ingest
    assert ingest == Config().ingest
    assert (ingest.min_year, ingest.max_year) == (1950, 2100)
    assert (ingest.warn_before_year, ingest.warn_after_year) == (1990, 2060)
    assert ingest.strict is False
    assert {"tbc", "n/a", "—", "?", "exempt*", "#n/a", "#div/0!"} <= set(ingest.placeholders)

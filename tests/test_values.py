"""The value parser: every written form, with the exact numbers it must give."""

import pytest

from pipeline.load.values import ValueParseError, parse_value

CASES = [
    # written, field, value, low, high, precision, approximate
    ("175B", "params_total", 175e9, None, None, "3 sf", False),
    ("175 billion", "params_total", 175e9, None, None, "3 sf", False),
    ("~1.76 trillion", "params_total", 1.76e12, None, None, "3 sf", True),
    ("about 1.76T", "params_total", 1.76e12, None, None, "3 sf", True),
    ("70,015,266,816", "params_total", 70_015_266_816, None, None, "exact", False),
    ("exactly 70,015,266,816", "params_total", 70_015_266_816, None, None, "exact", False),
    ("Exactly 405 billion", "params_total", 405e9, None, None, "exact", False),
    ("650-800B", "params_total", 725e9, 650e9, 800e9, "range", False),
    ("20-40 billion", "params_active", 30e9, 20e9, 40e9, "range", False),
    ("$63-78M", "training_cost_usd", 70.5e6, 63e6, 78e6, "range", False),
    ("$3-4 million", "training_cost_usd", 3.5e6, 3e6, 4e6, "range", False),
    ("$600,000-800,000", "training_cost_usd", 700_000, 600_000, 800_000, "range", False),
    ("$4.6 million", "training_cost_usd", 4.6e6, None, None, "2 sf", False),
    ("~$78M", "training_cost_usd", 78e6, None, None, "2 sf", True),
    ("3.14e23", "training_compute_flop", 3.14e23, None, None, "3 sf", False),
    ("3.14 × 10²³ FLOPs", "training_compute_flop", 3.14e23, None, None, "3 sf", False),
    ("2.1 × 10²⁵", "training_compute_flop", 2.1e25, None, None, "2 sf", False),
    ("10^24", "training_compute_flop", 1e24, None, None, "1 sf", False),
    ("over 1 trillion", "params_total", 1e12, 1e12, None, "lower bound", False),
    ("at least a trillion", "params_total", 1e12, 1e12, None, "lower bound", False),
    ("up to 7 trillion", "params_total", 7e12, None, 7e12, "upper bound", False),
    ("hundreds of billions", "params_total", None, 1e11, 1e12, "order of magnitude", True),
    ("trillions", "params_total", None, 1e12, 1e13, "order of magnitude", True),
    ("2 trillion tokens", "training_tokens", 2e12, None, None, "1 sf", False),
    ("1.7 million GPU-hours", "training_gpu_hours", 1.7e6, None, None, "2 sf", False),
    ("141B total", "params_total", 141e9, None, None, "3 sf", False),
    ("13 billion active per token", "params_active", 13e9, None, None, "2 sf", False),
    ("1.5 billion parameters", "params_total", 1.5e9, None, None, "2 sf", False),
    ("90-120 days", "training_duration_days", 105, 90, 120, "range", False),
    ("0.5B", "params_total", 0.5e9, None, None, "1 sf", False),
    ("1.0T", "params_total", 1e12, None, None, "2 sf", False),
    ("2,000", "training_chip_count", 2000, None, None, "exact", False),
    ("Estimated in the trillions", "params_total", None, 1e12, 1e13, "order of magnitude", True),
    ("as many as 7 trillion", "params_total", 7e12, None, 7e12, "upper bound", False),
    ("toward 2 trillion", "params_total", 2e12, 2e12, None, "lower bound", False),
    ("sub-billion-parameter", "params_total", 1e9, None, 1e9, "upper bound", False),
    ("1T+", "params_total", 1e12, 1e12, None, "lower bound", False),
    ("6.5 billion non-embedding parameters", "params_non_embedding", 6.5e9, None, None, "2 sf", False),
    ("2.7 billion activated parameters", "params_active", 2.7e9, None, None, "2 sf", False),
    ("7-billion-parameter", "params_total", 7e9, None, None, "1 sf", False),
    ("just 1 billion", "params_total", 1e9, None, None, "1 sf", False),
    ("a staggering 671 billion", "params_total", 671e9, None, None, "3 sf", False),
]


@pytest.mark.parametrize("written, field, value, low, high, precision, approximate", CASES)
def test_parses_written_values(written, field, value, low, high, precision, approximate):
    parsed = parse_value(written, field)
    assert parsed.value == value
    assert (parsed.low, parsed.high) == (low, high)
    assert parsed.precision == precision
    assert parsed.approximate is approximate


def test_text_fields_keep_text():
    parsed = parse_value("NVIDIA A100 80GB", "training_hardware")
    assert (parsed.value, parsed.precision) == (None, "text")


@pytest.mark.parametrize("written, field, message", [
    ("175 billion tokens", "params_total",
     "the unit 'tokens' belongs to training_tokens, not params_total (unit: parameters)"),
    ("$5M", "params_total", "a currency amount belongs to training_cost_usd, not params_total"),
    # the longest unit phrase is read whole: not "activated" (params_active) + "non-embedding parameters"
    ("2.0 billion activated non-embedding parameters", "params_non_embedding",
     "the unit 'activated non-embedding parameters' belongs to params_active_non_embedding, not "
     "params_non_embedding (unit: parameters)"),
    ("800-650B", "params_total", 'a range must go from low to high; found "800-650B"'),
    ("-5B", "params_total", 'expected a finite value greater than 0; found "-5B"'),
    ("0", "params_total", 'expected a finite value greater than 0; found "0"'),
    ("nan", "params_total", 'expected a finite value greater than 0; found "nan"'),
    ("lots", "params_total", "expected a number in parameters such as '175B', '~1.76 trillion', "
                             "'70,015,266,816', '650-800B' or '3.14e23'; found \"lots\""),
])
def test_rejects_with_a_message(written, field, message):
    with pytest.raises(ValueParseError) as error:
        parse_value(written, field)
    assert str(error.value) == message


def test_not_disclosed_records_a_refusal_without_a_number():
    from pipeline.load.values import parse_value

    for written in ("not disclosed", "Not disclosed", "undisclosed"):
        parsed = parse_value(written, "params_total")
        assert (parsed.value, parsed.low, parsed.high, parsed.precision) == (None, None, None, "undisclosed")


@pytest.mark.parametrize("written, value, sig_figs", [
    ("4k", 4_096, 1), ("32K", 32_768, 2), ("128k", 131_072, 3), ("128K tokens", 131_072, 3), ("8k", 8_192, 1)])
def test_context_lengths_count_k_as_1024_tokens(written, value, sig_figs):
    parsed = parse_value(written, "context_length")
    assert (parsed.value, parsed.sig_figs, parsed.written_unit) == (value, sig_figs, "binary k")


@pytest.mark.parametrize("written, value", [("200K tokens", 200_000), ("200k", 200_000), ("1.5k", 1_500),
                                            ("1M tokens", 1_000_000)])
def test_other_k_counts_and_m_stay_decimal(written, value):
    parsed = parse_value(written, "context_length")
    assert (parsed.value, parsed.written_unit) == (value, None)


def test_k_stays_decimal_outside_context_lengths_and_full_integers_stay_exact():
    assert parse_value("10k", "training_gpu_hours").value == 10_000
    ranged = parse_value("4k-8k", "context_length")
    assert (ranged.low, ranged.high, ranged.written_unit) == (4_096, 8_192, "binary k")
    parsed = parse_value("131072", "context_length")
    assert (parsed.value, parsed.precision, parsed.written_unit) == (131_072, "exact", None)


def test_weight_sizes_written_in_gib_are_stored_in_gb_with_the_unit():
    # 14.96 GiB = 14.96 x 1,073,741,824 bytes = 16,063,177,687 bytes = 16.063 GB
    parsed = parse_value("14.96GiB", "weights_gb_fp16")
    assert parsed.value == pytest.approx(16.06317768704, rel=1e-12)
    assert (parsed.precision, parsed.written_unit) == ("4 sf", "GiB")
    assert parse_value("14.96 GiB", "weights_gb_fp16").value == parsed.value
    plain = parse_value("14.96GB", "weights_gb_fp16")
    assert (plain.value, plain.written_unit) == (14.96, None)
    # a size in GB written without decimals is a rounded measure, not an exact count
    assert parse_value("140GB", "weights_gb_fp16").precision == "2 sf"


def test_gib_belongs_to_weight_sizes_only():
    with pytest.raises(ValueParseError):
        parse_value("14.96GiB", "params_total")


def test_written_units_reads_a_whole_column_like_the_parser():
    import pandas as pd

    from pipeline.load.values import written_units

    written = pd.Series(["14.96GiB", "14.96GB", "128k", "131072", "10k", "32K tokens", "200K tokens", "4k-8k"])
    fields = pd.Series(["weights_gb_fp16", "weights_gb_fp16", "context_length", "context_length",
                        "training_gpu_hours", "context_length", "context_length", "context_length"])
    expected = [parse_value(text, field).written_unit for text, field in zip(written, fields)]
    assert written_units(written, fields).tolist() == expected == ["GiB", None, "binary k", None, None, "binary k", None,
                                                                        "binary k"]


@pytest.mark.parametrize("written", ["2.0 billion activated non-embedding parameters", "2.0B activated non-embedding"])
def test_activated_non_embedding_wording(written):
    parsed = parse_value(written, "params_active_non_embedding")
    assert (parsed.value, parsed.precision) == (2.0e9, "2 sf")

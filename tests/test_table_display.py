"""How dashboard.ui.displayed prepares a table: counts with thousands separators in the reader's locale,
shares as whole percentages, missing cells as a dash; and counts on charts with separators too."""

import pandas as pd

from dashboard import ui


def number_format(config: dict, column: str):
    return (config[column].get("type_config") or {}).get("format")


def test_counts_read_with_separators_and_shares_as_percentages():
    table = pd.DataFrame({"Team": ["web", "ops"], "Actions": [111629, 5], "Rate": [0.5, 0.25],
                          "Open": [True, False]})
    shown, config = ui.displayed(table, None, percent=("Rate",))
    assert number_format(config, "Actions") == "localized"  # 111,629 in an English browser
    assert number_format(config, "Rate") == "%.0f%%" and shown["Rate"].tolist() == [50.0, 25.0]
    assert "Team" not in config and "Open" not in config  # text and yes/no columns keep their own look


def test_a_configured_column_keeps_its_configuration():
    table = pd.DataFrame({"Year": [2025, 2026]})
    plain = {"Year": {"type_config": {"type": "number", "format": "%d"}}}
    _, config = ui.displayed(table, plain)
    assert number_format(config, "Year") == "%d"


def test_a_count_with_a_missing_cell_is_text_with_a_dash():
    table = pd.DataFrame({"Days": [3455.0, None]})
    shown, config = ui.displayed(table, None)
    assert shown["Days"].tolist() == ["3,455", "–"]  # hindsight.review.text.MISSING, an en dash
    assert "Days" not in config


def test_counts_on_charts_read_with_separators():
    """A Pareto bar of 28,959 incidents (the 100k demo's 'code') is labelled 28,959, in the pack as on the page."""
    from hindsight import theme
    from hindsight.review import charts

    fig = charts.pareto(pd.DataFrame({"cause": ["code", "people"], "incidents": [28959, 977],
                                      "share": [0.97, 0.03], "cumulative_share": [0.97, 1.0]}))
    assert list(fig.data[0].text) == ["28,959", "977"]
    assert theme.count_axis(30000)["tickformat"] == ",d"  # 30,000 on the axis


def test_a_share_that_rounds_to_none_or_all_says_so():
    """5 post-mortems of 100,000 missing a field read "<1%", not "0%" (the 100k demo's Overview showed "0%"
    beside 5 missing); 3 open actions of 1,000 leave ">99%" done, not "100%". Exact 0 and 1 stay 0% and 100%."""
    from hindsight.review import text

    assert [text.pct(v) for v in (5 / 100_000, 0.004, 0.006, 0.25, 0.994, 997 / 1000, 0.0, 1.0, None)] == [
        "<1%", "<1%", "1%", "25%", "99%", ">99%", "0%", "100%", "–"]
    assert ui.pct(5 / 100_000) == "<1%" and ui.pct(1.0) == "100%"  # the tiles write them alike


def test_a_share_column_with_such_a_share_is_written_as_the_tiles_write_it():
    table = pd.DataFrame({"Field": ["Team", "Severity", "Cause"], "Missing share": [5 / 100_000, 0.25, 0.0],
                          "Done": [0.5, 0.75, 1.0]})
    shown, config = ui.displayed(table, None, percent=("Missing share", "Done"))
    assert shown["Missing share"].tolist() == ["<1%", "25%", "0%"] and "Missing share" not in config
    assert shown["Done"].tolist() == [50.0, 75.0, 100.0] and number_format(config, "Done") == "%.0f%%"

"""Overview page through AppTest on the demo database (as of 2026-11-15)."""


def test_renders_four_tiles_with_n(app):
    at = app().run()
    assert not at.exception
    assert [m.label for m in at.metric] == ["Actions closed on time", "Recurrence rate",
                                            "Time to post-mortem (median)", "Learning dissemination"]
    assert sum("n = " in c.value for c in at.caption) == 4


def test_query_params_set_the_filters(app):
    at = app(team=["payments"], severity=["P1", "P2"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_team").value == ["payments"]
    assert at.sidebar.multiselect(key="flt_severity").value == ["P1", "P2"]


def test_a_filter_changes_the_numbers(app):
    at = app().run()
    everyone = [c.value for c in at.caption if c.value.startswith("n = ")]
    at.sidebar.multiselect(key="flt_team").set_value(["payments"]).run()
    assert not at.exception
    payments = [c.value for c in at.caption if c.value.startswith("n = ")]
    assert payments != everyone
    assert at.query_params["team"] == "payments"  # mirrored in the URL


def test_empty_database_shows_how_to_load(empty_app):
    at = empty_app().run()
    assert not at.exception
    assert "No post-mortems loaded yet" in at.info[0].value
    assert any("hindsight ingest" in c.value for c in at.code)

"""The message catalogue: every message in both languages, placeholders filled."""

from pipelines.i18n import catalogue, t


def test_every_message_has_japanese_and_english_text():
    for key, texts in catalogue().items():
        assert texts["ja"].strip() and texts["en"].strip(), key


def test_placeholders_match_between_languages():
    import string

    for key, texts in catalogue().items():
        names = [
            {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f}
            for lang in ("ja", "en")
        ]
        assert names[0] == names[1], key


def test_t_fills_placeholders_and_falls_back_to_japanese():
    assert t("cli.demo_step_failed", "en", step="x", code=9) == (
        "Preparing the demo, 'x' failed (exit code 9)."
    )
    assert "終了コード 9" in t("cli.demo_step_failed", "fr", step="x", code=9)

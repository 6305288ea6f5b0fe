"""Start the Streamlit dashboard."""


def run_serve_command(*, db: str | None, port: int, roles: str | None, no_auth: bool,
                      lang: str) -> int:
    from pipelines.cli import not_landed

    return not_landed("serve", 5, lang)

"""archive.toml as written by `write_config`: loading it gives back every setting."""

from __future__ import annotations

from pathlib import Path

from archiver.home.config import Home, PackageSettings, Settings, write_config


def test_every_setting_survives_a_write_and_a_load(tmp_path: Path) -> None:
    # Every field differs from its default, so a setting the template drops shows up.
    settings = Settings(
        org_name='Sollefteå "kommun"', org_id="212000-2262", timezone="Europe/Helsinki",
        database_url="postgresql+psycopg://bevara@db/bevara",
        capture_parallel=1, capture_step_timeout=30.5, capture_total_timeout=120.0,
        package=PackageSettings(
            submitter="Kommunstyrelsen", submitter_id="212000-2262", archive="Länsarkivet",
            archive_id="SE/RA", submission_agreement="LA-2026:4", reference_code="SE/2262",
            schema_dir="C:\\schemas\\fgs"),
        simulated_clock=True,
    )
    home = Home(tmp_path)
    write_config(home, settings)
    assert home.load_settings() == settings
    text = home.config_path.read_text(encoding="utf-8")
    assert "parallel = 1\n" in text and "step_timeout = 30.5\n" in text
    assert "total_timeout = 120\n" in text

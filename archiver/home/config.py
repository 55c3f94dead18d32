"""The archive home: one folder holding configuration, catalogue, file store and policy.

Layout::

    HOME/archive.toml        configuration (commented; written by ``archive init``)
    HOME/catalogue.sqlite    the catalogue, unless ``database.url`` points elsewhere
    HOME/store/              content-addressed, write-once file store
    HOME/policy/             retention policy (gallringsbeslut as data)
    HOME/secrets/            login storage-state files, mode 0700/0600
    HOME/locks/              lock files for unattended runs
    HOME/tmp/                scratch space on the same file system as the store
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stdnum.se import orgnr  # python-stdnum: the organisationsnummer's Luhn check digit

from archiver.errors import BadInputError, ConfigError, OutputError
from archiver.home.files import atomic_write_text

ENV_HOME = "ARCHIVE_HOME"
CONFIG_NAME = "archive.toml"
ORG_ID_RE = re.compile(r"^\d{6}-\d{4}$")


@dataclass(frozen=True)
class PackageSettings:
    """The ``[package]`` table: who delivers to whom under which agreement (SIP agents)."""

    submitter: str = ""  # empty: the organisation itself
    submitter_id: str = ""
    archive: str = ""  # the receiving e-archive (PRESERVATION agent)
    archive_id: str = ""
    submission_agreement: str = ""
    reference_code: str = ""
    schema_dir: str = ""  # official METS/CSIP/SIP/ERMS/FGS schemas


@dataclass(frozen=True)
class Settings:
    """The archive home's configuration, validated once when the home is opened."""

    org_name: str
    org_id: str
    timezone: str
    database_url: str | None
    capture_parallel: int = 3
    capture_step_timeout: float = 45.0
    capture_total_timeout: float = 300.0
    package: PackageSettings = PackageSettings()
    simulated_clock: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Home:
    """Paths of an archive home. Creating the object touches nothing on disk."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def store_dir(self) -> Path:
        return self.root / "store"

    @property
    def policy_dir(self) -> Path:
        return self.root / "policy"

    @property
    def secrets_dir(self) -> Path:
        return self.root / "secrets"

    @property
    def locks_dir(self) -> Path:
        return self.root / "locks"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def cache_dir(self) -> Path:
        """What is derived from the machine's files and kept to save work (the caption's
        font subsets); deleting it loses nothing."""
        return self.root / "cache"

    @property
    def default_db_path(self) -> Path:
        return self.root / "catalogue.sqlite"

    def database_url(self, settings: Settings, override: str | None = None) -> str:
        """The catalogue URL: ``--db``, then archive.toml, then the SQLite file in the home."""
        if override:
            return override
        if settings.database_url:
            return settings.database_url
        return f"sqlite:///{self.default_db_path}"

    def is_initialised(self) -> bool:
        return self.config_path.exists()

    def load_settings(self) -> Settings:
        if not self.config_path.exists():
            raise ConfigError(
                f"{self.root} is not an archive home (no {CONFIG_NAME}); "
                "create one with: archive init --org NAME --org-id NNNNNN-NNNN"
            )
        try:
            data = tomllib.loads(self.config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{self.config_path}: not valid TOML ({e}); fix or restore the file") from e
        return settings_from_toml(data, self.config_path)


def resolve_home(option: str | None, env: Mapping[str, str]) -> Home:
    """``--home``, then ``ARCHIVE_HOME``; there is deliberately no implicit default folder."""
    value = option or env.get(ENV_HOME)
    if not value:
        raise ConfigError(
            "no archive home given; pass --home DIR or set ARCHIVE_HOME=DIR"
        )
    return Home(Path(value).expanduser().resolve())


KNOWN_KEYS = {
    "organisation": ("name", "id", "timezone"),
    "database": ("url",),
    "capture": ("parallel", "step_timeout", "total_timeout"),
    "package": tuple(PackageSettings.__dataclass_fields__),
    "clock": ("simulated",),
    "retention": ("policy", "four_eyes", "backup_note"),  # read by retention.policy
}
"""Every key archive.toml may hold. A misspelt one (``paralell = 3``) would otherwise be
ignored in silence and the default used, so an unknown key is an error."""


def unknown_keys(data: Mapping[str, object]) -> list[str]:
    """One problem per unknown table or key, naming the nearest known one."""
    known = [f"{t}.{k}" for t, keys in KNOWN_KEYS.items() for k in keys]
    found = []
    for table, value in data.items():
        if table not in KNOWN_KEYS:
            found.append(table)
        elif isinstance(value, dict):
            found += [f"{table}.{k}" for k in value if k not in KNOWN_KEYS[table]]
    problems = []
    for key in found:
        near = difflib.get_close_matches(key, [*known, *KNOWN_KEYS], n=1, cutoff=0.6)
        problems.append(f"unknown key {key}" + (f" (did you mean {near[0]}?)" if near else
                                                 f" (known tables: {', '.join(KNOWN_KEYS)})"))
    return problems


def org_id_problem(org_id: object, what: str) -> str | None:
    """Why *org_id* is not an organisationsnummer (NNNNNN-NNNN with a Luhn check digit)."""
    if not isinstance(org_id, str) or not ORG_ID_RE.match(org_id):
        return f"{what} {org_id!r} must look like 212000-1769"
    if not orgnr.is_valid(org_id):
        return (f"{what} {org_id!r} has a wrong check digit (the last digit); check the "
                "organisationsnummer against the record creator's papers")
    return None


def settings_from_toml(data: Mapping[str, object], where: Path) -> Settings:
    """Validate archive.toml, collecting every problem before failing."""
    problems: list[str] = unknown_keys(data)
    org = data.get("organisation", {})
    db = data.get("database", {})
    cap = data.get("capture", {})
    clock = data.get("clock", {})
    if (not isinstance(org, dict) or not isinstance(db, dict) or not isinstance(cap, dict)
            or not isinstance(clock, dict)):
        raise ConfigError(f"{where}: [organisation], [database], [capture] and [clock] must be tables")
    simulated = clock.get("simulated", False)
    if not isinstance(simulated, bool):
        problems.append("clock.simulated must be true or false")
    name = org.get("name")
    org_id = org.get("id")
    tz = org.get("timezone", "Europe/Stockholm")
    if not isinstance(name, str) or not name.strip():
        problems.append("organisation.name is missing")
    if (problem := org_id_problem(org_id, "organisation.id")) is not None:
        problems.append(problem)
    if not isinstance(tz, str) or not valid_timezone(tz):
        problems.append(f"organisation.timezone {tz!r} is not an IANA time zone")
    url = db.get("url") or None
    if url is not None and not isinstance(url, str):
        problems.append("database.url must be a string")
    parallel = cap.get("parallel", 3)
    if not isinstance(parallel, int) or not 1 <= parallel <= 16:
        problems.append("capture.parallel must be an integer from 1 to 16")
    step = cap.get("step_timeout", 45.0)
    total = cap.get("total_timeout", 300.0)
    for key, value in (("step_timeout", step), ("total_timeout", total)):
        if not isinstance(value, int | float) or value <= 0:
            problems.append(f"capture.{key} must be a positive number of seconds")
    package = _package_settings(data.get("package", {}), problems)
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    return Settings(
        org_name=str(name),
        org_id=str(org_id),
        timezone=str(tz),
        database_url=url if isinstance(url, str) else None,
        capture_parallel=int(parallel),
        capture_step_timeout=float(step),
        capture_total_timeout=float(total),
        package=package,
        simulated_clock=bool(simulated),
    )


def _package_settings(table: object, problems: list[str]) -> PackageSettings:
    if not isinstance(table, dict):
        problems.append("[package] must be a table")
        return PackageSettings()
    values: dict[str, str] = {}
    for key in PackageSettings.__dataclass_fields__:
        value = table.get(key, "")
        if not isinstance(value, str):
            problems.append(f"package.{key} must be a string")
            continue
        values[key] = value.strip()
    return PackageSettings(**values)


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


CONFIG_TEMPLATE = '''\
# Bevara archive home configuration.
# Times are stored in UTC; half-year boundaries (1 January, 1 July) are computed
# in the organisation's time zone below.

[organisation]
# The record creator (arkivbildare): the municipality or its board.
name = {name}
# Organisationsnummer, NNNNNN-NNNN.
id = {org_id}
# IANA time zone for boundaries and displayed dates.
timezone = {tz}

[database]
# Empty: the SQLite catalogue in this folder (catalogue.sqlite).
# For many users and machines use PostgreSQL, e.g.
# url = "postgresql+psycopg://bevara@dbhost/bevara"
url = {db_url}

[capture]
# Browser contexts run at once by `archive capture --due` and `--all`.
parallel = {parallel}
# Hard time limits, in seconds, for one step (page load, scrolling, print) and one capture.
step_timeout = {step_timeout}
total_timeout = {total_timeout}

[package]
# Delivery packages (archive package): the SIP's agents and identifiers.
# submitter / submitter_id: the delivering organisation (empty: the organisation above).
# archive / archive_id: the receiving e-archive; submission_agreement, reference_code: from it.
# schema_dir: a folder with the official METS, E-ARK CSIP/SIP and CITS ERMS schemas
# (mets.xsd, xlink.xsd, DILCISExtensionMETS.xsd, DILCISExtensionSIPMETS.xsd, ERMS.xsd);
# Bevara never fetches them.
submitter = {submitter}
submitter_id = {submitter_id}
archive = {archive}
archive_id = {archive_id}
submission_agreement = {submission_agreement}
reference_code = {reference_code}
schema_dir = {schema_dir}
[clock]
# true only for demo and test homes (archive init --simulated-clock): commands may then
# take --now as the time of what they record, and every record says "simulated clock".
simulated = {simulated}

[retention]
# The retention policy (gallringsbeslut as data) lives in policy/policy.toml.
policy = "policy/policy.toml"
# Four-eyes rule: whoever created a retention review may not approve its culling.
four_eyes = false
# What the gallringsprotokoll says about backup copies of culled records, e.g.
# backup_note = "Säkerhetskopior skrivs över efter 90 dagar."
'''

POLICY_PLACEHOLDER = '''\
# Retention policy for this archive home (informationshanteringsplan as data).
#
# Each rule will cite its culling decision (gallringsbeslut: decided by, date,
# paragraph, diarienummer) and say which items it covers and after how long they
# may be reviewed for culling. The retention engine reads this file; until rules
# are added here, nothing is ever culled.

version = 1
rules = []
'''


def create_home(home: Home, *, org_name: str, org_id: str, timezone: str,
                simulated_clock: bool = False, policy_text: str = POLICY_PLACEHOLDER,
                force: bool = False) -> Settings:
    """Create the folders and files of a new home; refuse if one is already there, and
    refuse a folder holding other files unless *force*: the home's folders would mix with
    them, and a later clean-up of the "archive" could take them along."""
    if home.config_path.exists():
        raise ConfigError(
            f"{home.root} is already an archive home ({CONFIG_NAME} exists); "
            "nothing was changed — choose another --home to start a new archive"
        )
    if not force and home.root.is_dir() and any(home.root.iterdir()):
        shown = sorted(p.name for p in home.root.iterdir())
        raise OutputError(
            f"{home.root} is not empty (it holds {', '.join(shown[:3])}{', …' if len(shown) > 3 else ''}); "
            "choose a new or empty folder, or give --force to make the archive home there")
    problems = []
    if not org_name.strip():
        problems.append("--org must not be empty")
    if (problem := org_id_problem(org_id, "--org-id")) is not None:
        problems.append(problem)
    if not valid_timezone(timezone):
        problems.append(f"--tz {timezone!r} is not an IANA time zone such as Europe/Stockholm")
    if problems:
        raise BadInputError("; ".join(problems))
    try:
        for d in (home.root, home.store_dir, home.policy_dir, home.locks_dir, home.tmp_dir):
            d.mkdir(parents=True, exist_ok=True)
        home.secrets_dir.mkdir(mode=0o700, exist_ok=True)
        os.chmod(home.secrets_dir, 0o700)
        policy = home.policy_dir / "policy.toml"
        if not policy.exists():
            atomic_write_text(policy, policy_text)
    except OSError as e:
        raise OutputError(f"cannot create archive home {home.root}: {e.strerror}") from e
    return Settings(org_name=org_name, org_id=org_id, timezone=timezone, database_url=None,
                    simulated_clock=simulated_clock)


def write_config(home: Home, settings: Settings) -> None:
    """Write archive.toml last, so a home without it is never mistaken for a finished one.

    Every setting is written as *settings* holds it, so loading the file gives *settings*
    back: a caller that changes one (the capture benchmark runs a home at ``parallel = 1``)
    gets what it asked for."""
    text = CONFIG_TEMPLATE.format(
        name=toml_string(settings.org_name),
        org_id=toml_string(settings.org_id),
        tz=toml_string(settings.timezone),
        db_url=toml_string(settings.database_url or ""),
        simulated="true" if settings.simulated_clock else "false",
        parallel=settings.capture_parallel,
        step_timeout=_seconds(settings.capture_step_timeout),
        total_timeout=_seconds(settings.capture_total_timeout),
        **{key: toml_string(getattr(settings.package, key)) for key in PackageSettings.__dataclass_fields__},
    )
    atomic_write_text(home.config_path, text)


def _seconds(value: float) -> str:
    """A TOML number as a person writes it: 45, not 45.0."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def toml_string(value: str) -> str:
    """Quote a value as a TOML basic string."""
    if "\n" in value:
        raise BadInputError("configuration values must be on one line")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

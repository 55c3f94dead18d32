"""The retention policy file: informationshanteringsplan rows as data, checked and written.

A policy is read once per command into frozen ``Rule`` values the review applies; checking
collects every problem with its line number before failing, since a records officer fixes
a policy file in one sitting. Mandates are written back with tomlkit so the municipality's
own comments in the file survive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import tomlkit

from archiver.errors import BadInputError, ConfigError, NotFoundError
from archiver.home.config import Home
from archiver.home.files import atomic_write_text
from retention.deadline import ACCOUNT_CLOSED, CASE_CLOSED, IMMEDIATE, INACTUAL, Frist

ACTIONS = ("bevaras", "gallras", "diarieförs")
KINDS = ("post", "comment", "reply", "message", "snapshot")
MARKS = ("led-to-case", "removed", "confidential")
RULE_KEYS = {"id", "handlingstyp", "klassa", "action", "frist", "minimum", "match", "mandate",
             "registrering", "anmarkning"}
MATCH_KEYS = {"kind", "author", "account", "platform", "flags", "marks", "min_age_days", "text"}
MANDATE_KEYS = ("body", "date", "section", "dnr")
KLASSA_RE = re.compile(r"^\d+(\.\d+)*$")
YEARS_RE = re.compile(r"^(\d{1,2}) år efter årets utgång$")
MINIMUM_RE = re.compile(r"^(\d{1,3}) (halvår|dagar)$")


def default_policy_text() -> str:
    return (resources.files("retention") / "default_policy.toml").read_text(encoding="utf-8")


def policy_path(home: Home) -> Path:
    return home.policy_dir / "policy.toml"


@dataclass(frozen=True)
class Mandate:
    body: str
    date: dt.date
    section: str
    dnr: str

    def cite(self) -> str:
        return f"{self.body} {self.date.isoformat()} {self.section}, dnr {self.dnr}"


@dataclass(frozen=True)
class Match:
    kinds: frozenset[str] | None = None
    author: str | None = None  # own | visitor
    accounts: frozenset[int] | None = None
    platforms: frozenset[str] | None = None
    flags: str | None = None  # none | any
    marks: frozenset[str] | str | None = None  # "none" or kinds
    min_age_days: int | None = None
    text: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    handlingstyp: str
    klassa: str
    action: str
    match: Match
    frist: Frist | None
    mandate: Mandate | None
    line: int

    @property
    def culls(self) -> bool:
        return self.action == "gallras"


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]
    sha256: str
    path: Path
    warnings: tuple[str, ...] = field(default=())

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise NotFoundError(f"rule {rule_id!r} is not in {self.path}; see: archive retention policy show")

    @property
    def uses_text(self) -> bool:
        return any(r.match.text for r in self.rules)


class PolicyError(BadInputError):
    """The policy file does not check; the message lists every problem with its line."""


def _lines(text: str) -> tuple[list[int], list[str]]:
    lines = text.splitlines()
    heads = [i + 1 for i, ln in enumerate(lines) if re.match(r"^\s*\[\[\s*rule\s*\]\]", ln)]
    return heads, lines


def _key_line(lines: list[str], start: int, end: int, key: str) -> int:
    pat = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for n in range(start, min(end, len(lines) + 1)):
        if pat.match(lines[n - 1]):
            return n
    return start


def load_policy(path: Path) -> Policy:
    """Read and check a policy file; raise PolicyError listing every problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise NotFoundError(f"policy file {path} does not exist; write the default with: archive init") from e
    text = raw.decode("utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(f"{path}: not valid TOML: {e}; fix that line") from e
    except RecursionError as e:  # tomllib recurses into nested arrays and tables
        raise PolicyError(f"{path}: not valid TOML: nested too deep; a policy needs a few levels") from e
    rules, problems, warnings = parse_rules(data, text)
    if problems:
        raise PolicyError(f"{path}: " + "; ".join(problems))
    return Policy(tuple(rules), hashlib.sha256(raw).hexdigest(), path, tuple(warnings))


def parse_rules(data: dict[str, Any], text: str) -> tuple[list[Rule], list[str], list[str]]:
    heads, lines = _lines(text)
    problems: list[str] = []
    warnings: list[str] = []
    rules: list[Rule] = []
    if data.get("version") != 1:
        problems.append("line 1: version = 1 is missing")
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        return [], ["'rule' must be an array of tables: [[rule]]"], []
    seen: set[str] = set()
    for i, r in enumerate(raw_rules):
        head = heads[i] if i < len(heads) else 1
        end = heads[i + 1] if i + 1 < len(heads) else len(lines) + 1

        def at(key: str, head: int = head, end: int = end) -> str:
            return f"line {_key_line(lines, head, end, key)}"

        here: list[str] = []
        if not isinstance(r, dict):
            problems.append(f"line {head}: rule {i + 1} must be a table: [[rule]] with keys under it")
            continue
        for k in sorted(set(r) - RULE_KEYS):
            here.append(f"{at(k)}: unknown key {k!r} in a rule")
        rid = r.get("id")
        if not isinstance(rid, str) or not re.match(r"^[\w-]{1,100}$", rid):
            here.append(f"line {head}: rule needs id = \"letters, digits or -\"")
            rid = f"#{i + 1}"
        elif rid in seen:
            here.append(f"{at('id')}: rule id {rid!r} is used twice")
        seen.add(rid)
        for key in ("handlingstyp", "klassa"):
            if not isinstance(r.get(key), str) or not r[key].strip():
                here.append(f"line {head}: rule {rid} needs {key}")
        if isinstance(r.get("klassa"), str) and r["klassa"].strip() and not KLASSA_RE.match(r["klassa"]):
            here.append(f"{at('klassa')}: klassa {r['klassa']!r} is not a Klassa code like 2.9.2")
        action = r.get("action")
        if action not in ACTIONS:
            here.append(f"{at('action')}: rule {rid} action must be one of {', '.join(ACTIONS)}")
        match = _match(r.get("match", {}), rid, lambda k: at(k), here)
        frist = _frist(r, rid, action, at, here)
        mandate = _mandate(r.get("mandate"), rid, at, here)
        if action == "gallras" and match.kinds is not None and "snapshot" in match.kinds:
            here.append(f"{at('kind')}: rule {rid} culls snapshots; snapshots are always kept (bevaras)")
        if action == "gallras" and mandate is None and not here:
            warnings.append(f"line {head}: rule {rid} culls but has no mandate (gallringsbeslut) yet; "
                            "its items stay until one is entered")
        problems.extend(here)
        if not here:
            rules.append(Rule(rid, r["handlingstyp"].strip(), r["klassa"].strip(), str(action), match,
                              frist, mandate, head))
    return rules, problems, warnings


def _str_set(value: Any, allowed: tuple[str, ...] | None, what: str, problems: list[str]) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{what} must be a list of strings")
        return None
    bad = [v for v in value if allowed is not None and v not in allowed]
    if bad:
        problems.append(f"{what}: {', '.join(bad)} not one of {', '.join(allowed or ())}")
    return frozenset(value)


def _match(m: Any, rid: str, at: Any, problems: list[str]) -> Match:
    if not isinstance(m, dict):
        problems.append(f"{at('match')}: rule {rid} match must be a table")
        return Match()
    for k in sorted(set(m) - MATCH_KEYS):
        problems.append(f"{at(k)}: unknown match key {k!r}")
    kinds = _str_set(m.get("kind"), KINDS, f"{at('kind')}: kind", problems)
    author = m.get("author")
    if author not in (None, "own", "visitor"):
        problems.append(f"{at('author')}: author must be \"own\" or \"visitor\"")
    accounts = m.get("account")
    if accounts is not None and (not isinstance(accounts, list) or not all(isinstance(a, int) for a in accounts)):
        problems.append(f"{at('account')}: account must be a list of account ids")
        accounts = None
    platforms = _str_set(m.get("platform"), None, f"{at('platform')}: platform", problems)
    flags = m.get("flags")
    if flags not in (None, "none", "any"):
        problems.append(f"{at('flags')}: flags must be \"none\" or \"any\"")
    marks_raw = m.get("marks")
    marks: frozenset[str] | str | None
    marks = "none" if marks_raw == "none" else _str_set(marks_raw, MARKS, f"{at('marks')}: marks", problems)
    age = m.get("min_age_days")
    if age is not None and (not isinstance(age, int) or age < 0):
        problems.append(f"{at('min_age_days')}: min_age_days must be a whole number of days")
        age = None
    patterns: list[re.Pattern[str]] = []
    texts = m.get("text", [])
    if isinstance(texts, str):
        texts = [texts]
    for t in texts if isinstance(texts, list) else []:
        try:
            patterns.append(re.compile(str(t)))
        except (re.error, OverflowError, RecursionError) as e:  # "a{99999999999}" overflows
            problems.append(f"{at('text')}: text pattern {str(t)[:80]!r} is not a regular expression ({e})")
    return Match(kinds, author, frozenset(accounts) if accounts is not None else None, platforms,
                 flags, marks, age, tuple(patterns))


def _frist(r: dict[str, Any], rid: str, action: Any, at: Any, problems: list[str]) -> Frist | None:
    text = r.get("frist")
    minimum = r.get("minimum")
    halfyears = days = 0
    if minimum is not None:
        mm = MINIMUM_RE.match(str(minimum))
        if not mm:
            problems.append(f"{at('minimum')}: minimum {minimum!r} must be \"N halvår\" or \"N dagar\"")
        elif mm.group(2) == "halvår":
            halfyears = int(mm.group(1))
        else:
            days = int(mm.group(1))
    if text is None:
        if action == "gallras":
            problems.append(f"{at('action')}: rule {rid} culls but has no frist")
        return None
    if text == INACTUAL:
        if minimum is None:
            problems.append(f"{at('frist')}: \"vid inaktualitet\" needs minimum = \"N halvår\" or \"N dagar\"")
        return Frist(INACTUAL, halfyears=halfyears, days=days)
    if text in (IMMEDIATE, CASE_CLOSED, ACCOUNT_CLOSED):
        return Frist(str(text), halfyears=halfyears, days=days)
    ym = YEARS_RE.match(str(text))
    if ym:
        return Frist("år efter årets utgång", years=int(ym.group(1)))
    problems.append(f"{at('frist')}: frist {text!r} is not one of \"vid inaktualitet\", \"N år efter "
                    "årets utgång\", \"omedelbart\", \"efter stängt konto\", \"efter avslutat ärende\"")
    return None


def _mandate(m: Any, rid: str, at: Any, problems: list[str]) -> Mandate | None:
    if m is None:
        return None
    if not isinstance(m, dict):
        problems.append(f"{at('mandate')}: rule {rid} mandate must be a table")
        return None
    missing = [k for k in MANDATE_KEYS if not str(m.get(k) or "").strip()]
    if len(missing) == len(MANDATE_KEYS):
        return None  # the default policy's empty placeholder: no decision entered yet
    if missing:
        problems.append(f"{at('body')}: rule {rid} mandate lacks {', '.join(missing)}")
        return None
    day = m["date"]
    if not isinstance(day, dt.date):
        try:
            day = dt.date.fromisoformat(str(day))
        except ValueError:
            problems.append(f"{at('date')}: mandate date {day!r} is not YYYY-MM-DD")
            return None
    return Mandate(str(m["body"]).strip(), day, str(m["section"]).strip(), str(m["dnr"]).strip())


def write_mandate(path: Path, rule_ids: list[str] | None, mandate: Mandate) -> list[str]:
    """Enter a gallringsbeslut on the named rules (None: every culling rule), keeping comments.

    The file is checked before and after; it is replaced atomically or not at all.
    """
    before = load_policy(path)
    culling = [r.id for r in before.rules if r.culls]
    targets = culling if rule_ids is None else rule_ids
    unknown = [r for r in targets if r not in {x.id for x in before.rules}]
    if unknown:
        raise NotFoundError(f"no rule {', '.join(unknown)} in {path}; see: archive retention policy show")
    not_culling = [r for r in targets if r not in culling]
    if not_culling:
        raise BadInputError(f"rule {', '.join(not_culling)} does not cull (action is not gallras); "
                            "a mandate only goes on culling rules")
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for rule in doc["rule"]:
        if rule["id"] in targets:
            values = {"body": mandate.body, "date": mandate.date, "section": mandate.section,
                      "dnr": mandate.dnr}
            if "mandate" in rule:
                for key, value in values.items():  # in place, so the comments above stay put
                    rule["mandate"][key] = value
            else:
                table = tomlkit.table()
                for key, value in values.items():
                    table.add(key, value)
                rule["mandate"] = table
    new_text = tomlkit.dumps(doc)
    _, problems, _ = parse_rules(tomllib.loads(new_text), new_text)
    if problems:
        raise PolicyError(f"{path}: the mandate would leave the policy broken: " + "; ".join(problems))
    atomic_write_text(path, new_text)
    return targets


@dataclass(frozen=True)
class OfficerSettings:
    """The ``[retention]`` table of archive.toml: where the policy is, four-eyes, backups."""

    policy: Path
    four_eyes: bool
    backup_note: str | None


def officer_settings(home: Home) -> OfficerSettings:
    try:
        data = tomllib.loads(home.config_path.read_text(encoding="utf-8")).get("retention", {})
    except (OSError, tomllib.TOMLDecodeError):
        data = {}
    problems = []
    four_eyes = data.get("four_eyes", False)
    if not isinstance(four_eyes, bool):
        problems.append("retention.four_eyes must be true or false")
    note = data.get("backup_note")
    if note is not None and not isinstance(note, str):
        problems.append("retention.backup_note must be a string")
    if problems:
        raise ConfigError(f"{home.config_path}: " + "; ".join(problems))
    policy = home.root / str(data.get("policy", "policy/policy.toml"))
    return OfficerSettings(policy, bool(four_eyes), note or None)

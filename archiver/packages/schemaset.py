"""Where the schemas come from, and compiling them offline.

Bevara's own XSDs ship in the top-level ``schemas`` package. The official ones (METS 1.12,
xlink, the E-ARK CSIP/SIP extensions, CITS ERMS, RA's CSPackageMETS and FGS-ERMS) are not
ours to ship: they come from ``package.schema_dir`` in archive.toml, or from the
``eark_validator`` package when it is installed (it bundles METS, xlink and the DILCIS
extensions). Nothing is ever fetched: every schemaLocation is mapped to a local file by a
resolver, and the parsers run with ``no_network``. A schema that is needed and not found is
a ``ConfigError`` naming the file and the key to set, never a silent skip.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from archiver.errors import ConfigError

# key -> (file name inside a package's schemas/, candidate paths under a schema folder)
OFFICIAL: dict[str, tuple[str, tuple[str, ...]]] = {
    "mets": ("mets.xsd", ("mets.xsd", "mets-1.12.xsd", "mets/mets-1.12.xsd", "schema/mets.xsd")),
    "xlink": ("xlink.xsd", ("xlink.xsd", "mets/xlink.xsd", "schema/xlink.xsd")),
    "csip": ("DILCISExtensionMETS.xsd", ("DILCISExtensionMETS.xsd", "e-ark-csip-2.1.0/DILCISExtensionMETS.xsd",
                                         "schema/DILCISExtensionMETS.xsd")),
    "sip": ("DILCISExtensionSIPMETS.xsd", ("DILCISExtensionSIPMETS.xsd",
                                           "e-ark-sip-2.1.0/DILCISExtensionSIPMETS.xsd",
                                           "schema/DILCISExtensionSIPMETS.xsd")),
    "erms": ("ERMS.xsd", ("ERMS.xsd", "ERMS_v2.1.2.xsd", "cits-erms/ERMS_v2.1.2.xsd")),
    "premis": ("premis.xsd", ("premis.xsd", "premis-v3-0.xsd", "premis/premis.xsd")),
    "cspackage": ("CSPackageMETS.xsd", ("CSPackageMETS.xsd", "fgs-paketstruktur-1.2/CSPackageMETS.xsd")),
    "csext": ("CSPackageExtensionMETS.xsd", ("CSPackageExtensionMETS.xsd",
                                             "fgs-paketstruktur-1.2/CSPackageExtensionMETS.xsd")),
    "fgserms": ("Arendehantering.xsd", ("Arendehantering.xsd", "FGS-ERMS.xsd",
                                        "fgs-arendehantering-1.0-variant/Bygglov_v2_Sundsvall_FGS-ERMS.xsd")),
}
OURS = {"registration": "bevara-registration-1.0.xsd"}

NS = {
    "mets": "http://www.loc.gov/METS/",
    "xlink": "http://www.w3.org/1999/xlink",
    "csip": "https://DILCIS.eu/XML/METS/CSIPExtensionMETS",
    "sip": "https://DILCIS.eu/XML/METS/SIPExtensionMETS",
    "erms": "https://DILCIS.eu/XML/ERMS",
    "premis": "http://www.loc.gov/premis/v3",
    "ext": "ExtensionMETS",
    "fgserms": "http://xml.ra.se/e-arkiv/FGS-ERMS",
    "registration": "https://bevara.se/xml/registration/1.0",
}
# Official schemaLocations seen in the wild, mapped to our keys (basename match covers the rest).
LOCATIONS = {
    "http://www.loc.gov/standards/xlink/xlink.xsd": "xlink",
    "http://xml.ra.se/e-arkiv/xlink/xlink.xsd": "xlink",
    "http://www.loc.gov/standards/mets/mets.xsd": "mets",
}
VALIDATING = {  # which schemas a document with this root namespace is checked against
    "mets-csip": ("mets", "csip", "sip"),
    "mets-fgs12": ("cspackage", "csext"),
    "erms": ("erms",),
    "fgserms": ("fgserms",),
    "premis": ("premis",),
    "registration": ("registration",),
}


def secure_parser() -> etree.XMLParser:
    """The one XML parser for anything we read: no entities, no DTDs, no network, no huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           dtd_validation=False)


class _LocalResolver(etree.Resolver):
    def __init__(self, schemas: SchemaSet) -> None:
        super().__init__()
        self.schemas = schemas

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        if not system_url:
            return None
        key = LOCATIONS.get(system_url) or self.schemas.key_for_name(system_url.rsplit("/", 1)[-1])
        if key is None or self.schemas.path(key, required=False) is None:
            return None
        return self.resolve_filename(str(self.schemas.path(key)), context)


@dataclass
class SchemaSet:
    """The schemas one build or validation may use; compiled validators are cached."""

    folder: Path | None
    _paths: dict[str, Path] = field(default_factory=dict)
    _compiled: dict[str, etree.XMLSchema] = field(default_factory=dict)
    # Rules only: a build leaves a missing official schema out of ``schemas/`` and a
    # validation reports it as a warning instead of stopping. Only for a machine that
    # cannot have the schemas (the demo, a quick check); the default is to refuse.
    missing_ok: bool = False

    @classmethod
    def from_settings(cls, schema_dir: str | Path | None, *, missing_ok: bool = False) -> SchemaSet:
        folder = Path(schema_dir).expanduser() if schema_dir else None
        if folder is not None and not folder.is_dir():
            raise ConfigError(f"package.schema_dir {folder} is not a folder; point it at the official schemas")
        found: dict[str, Path] = {}
        for key, (_name, candidates) in OFFICIAL.items():
            path = _first(folder, candidates) if folder else None
            if path is None:
                path = _from_installed(key)
            if path is not None:
                found[key] = path
        for key, name in OURS.items():
            found[key] = Path(str(importlib.resources.files("schemas").joinpath(name)))
        return cls(folder, found, missing_ok=missing_ok)

    def key_for_name(self, name: str) -> str | None:
        for key, (package_name, candidates) in OFFICIAL.items():
            if name == package_name or any(Path(c).name == name for c in candidates):
                return key
        for key, ours in OURS.items():
            if name == ours:
                return key
        return None

    def path(self, key: str, *, required: bool = True) -> Path | None:
        p = self._paths.get(key)
        if p is None and required:
            name = OFFICIAL[key][0] if key in OFFICIAL else OURS[key]
            where = f"in {self.folder}" if self.folder else "(package.schema_dir is not set)"
            names = ", ".join(OFFICIAL[key][1][:2]) if key in OFFICIAL else name
            raise ConfigError(f"schema {name} not found {where}; set package.schema_dir in archive.toml to a "
                              f"folder holding the official schemas ({names})")
        return p

    def package_name(self, key: str) -> str:
        return OFFICIAL[key][0] if key in OFFICIAL else OURS[key]

    def has(self, *keys: str) -> bool:
        return all(k in self._paths for k in keys)

    def missing(self, *keys: str) -> list[str]:
        """The package file names of the given schemas that are not at hand."""
        return [self.package_name(k) for k in keys if k not in self._paths]

    def missing_for(self, kind: str) -> list[str]:
        """The schema files a document kind's validation needs and cannot have (METS imports xlink)."""
        return self.missing(*VALIDATING[kind], *(("xlink",) if kind.startswith("mets") else ()))

    def validator(self, kind: str) -> etree.XMLSchema:
        """The compiled schema for a document kind (see VALIDATING); raises ConfigError if missing."""
        if kind not in self._compiled:
            keys = VALIDATING[kind]
            paths = [self.path(k) for k in keys]
            namespaces = {"mets": NS["mets"], "csip": NS["csip"], "sip": NS["sip"], "cspackage": NS["mets"],
                          "csext": NS["ext"], "erms": NS["erms"], "fgserms": NS["fgserms"],
                          "premis": NS["premis"], "registration": NS["registration"]}
            imports = "".join(f'<xs:import namespace="{namespaces[k]}" schemaLocation="{Path(str(p)).as_uri()}"/>'
                              for k, p in zip(keys, paths, strict=True))
            wrapper = (f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                       f'targetNamespace="urn:bevara:wrapper">{imports}</xs:schema>')
            parser = secure_parser()
            parser.resolvers.add(_LocalResolver(self))
            try:
                doc = etree.fromstring(wrapper.encode(), parser)
                self._compiled[kind] = etree.XMLSchema(doc)
            except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as e:
                raise ConfigError(f"the {kind} schemas in {self.folder} do not compile ({e}); "
                                  "replace them with the official files") from e
        return self._compiled[kind]


def _first(folder: Path, candidates: tuple[str, ...]) -> Path | None:
    for c in candidates:
        p = folder / c
        if p.is_file():
            return p
    return None


def _from_installed(key: str) -> Path | None:
    """eark_validator bundles METS, xlink and the DILCIS extensions; use them if it is installed."""
    names = {"mets": "mets.xsd", "xlink": "xlink.xsd", "csip": "DILCISExtensionMETS.xsd",
             "sip": "DILCISExtensionSIPMETS.xsd"}
    if key not in names or importlib.util.find_spec("eark_validator") is None:
        return None
    try:
        p = importlib.resources.files("eark_validator.ipxml.resources.schema").joinpath(names[key])
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    return Path(str(p)) if p.is_file() else None

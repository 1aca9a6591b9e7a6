"""The project's source systems: var `source_systems` of dbt_project.yml, the one list that the dbt models (the
union of the systems' identity records), the data generator and the tests read.

Each entry names a system (its raw schema raw_<name>, its staging folder, the source_system of its records), the
record types it contributes to the identity graph (none: it bears no person) and, optionally, the identifiers of
which one record holds several (`multi_valued_identifiers`) and whether its anonymous records' events carry logins
(`sign_ins`). README, "Add a source system".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cdp.project import project_vars

PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project.yml"
VAR = "source_systems"


@dataclass(frozen=True)
class SourceSystem:
    name: str
    record_types: tuple[str, ...]
    multi_valued_identifiers: tuple[str, ...] = ()
    sign_ins: bool = False

    @property
    def bears_persons(self) -> bool:
        return bool(self.record_types)


class SystemsError(ValueError):
    pass


def source_systems(project_file: Path = PROJECT_FILE) -> tuple[SourceSystem, ...]:
    """Every source system declared in the project's dbt_project.yml, in its order."""
    if not project_file.exists():
        raise SystemsError(f"no {project_file}: the list of source systems is its var `{VAR}`")
    entries = project_vars(project_file.parent).get(VAR)
    if not isinstance(entries, list) or not entries:
        raise SystemsError(f"{project_file}: var `{VAR}` must list the source systems "
                           "(- {name: <system>, record_types: [...]})")
    systems = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("name") or not isinstance(entry.get("record_types"), list):
            raise SystemsError(f"{project_file}: var `{VAR}`: every entry needs a name and a list of record_types "
                               f"(empty for a system that bears no person), not {entry!r}")
        systems.append(SourceSystem(str(entry["name"]), tuple(entry["record_types"]),
                                    tuple(entry.get("multi_valued_identifiers") or ()), bool(entry.get("sign_ins"))))
    names = [system.name for system in systems]
    if len(set(names)) != len(names):
        raise SystemsError(f"{project_file}: var `{VAR}` names a system twice: {names}")
    return tuple(systems)


def system_names(project_file: Path = PROJECT_FILE, bears_persons: bool | None = None) -> tuple[str, ...]:
    """The systems' names, in order; only those that bear persons (True) or only those that do not (False)."""
    return tuple(system.name for system in source_systems(project_file)
                 if bears_persons is None or system.bears_persons == bears_persons)

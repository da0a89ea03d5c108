"""A new mapping project (`mapc init`): the default mapping, its tests, CI and pre-commit."""

from mapc.starter.project import (
    ProjectFile,
    StarterError,
    collisions,
    generated_files,
    generated_paths,
    project_files,
    write_project,
)
from mapc.starter.requirement import Requirement, installed_requirement

__all__ = [
    "ProjectFile",
    "Requirement",
    "StarterError",
    "collisions",
    "generated_files",
    "generated_paths",
    "installed_requirement",
    "project_files",
    "write_project",
]

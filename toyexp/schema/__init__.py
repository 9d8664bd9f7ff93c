"""Config machinery that knows no task and no method: fields with checks, and a loader.

A config is a tree of frozen dataclasses (sections). :mod:`~toyexp.schema.fields` declares
what a field accepts and checks one value; :mod:`~toyexp.schema.loader` merges YAML and
dotted overrides into a tree and builds the dataclasses, rejecting unknown keys.
"""

from .fields import ConfigError, FieldError, at_least, between, check_choice, check_field, choice, did_you_mean, positive, valid
from .loader import build_section, field_types, change_text, differences, merge, parse_override, read_sections, read_yaml_lines, set_dotted

__all__ = [
    "ConfigError", "FieldError", "at_least", "between", "check_choice", "check_field", "choice", "did_you_mean", "positive", "valid",
    "build_section", "field_types", "change_text", "differences", "merge", "parse_override", "read_sections", "read_yaml_lines", "set_dotted",
]

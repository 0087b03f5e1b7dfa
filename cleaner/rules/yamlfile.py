"""Rule files as YAML: PyYAML's safe loader only, every mapping and list remembering the line
of each of its items, so that a validation error can name the line it is about."""
from __future__ import annotations

import datetime as _dt
from typing import Any

import yaml

from ..errors import RuleError

# A YAML file that expands to more nodes than this (alias bombs) is refused.
MAX_YAML_NODES = 100_000


class YamlMap(dict):
    """A mapping from a YAML file that remembers the line of each key (`lines`) and its own
    (`line`); lines count from 1."""

    lines: dict[str, int]
    line: int


class YamlSeq(list):
    """A list from a YAML file that remembers the line of each item (`lines`) and its own."""

    lines: list[int]
    line: int


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


def type_name(t: type) -> str:
    """How an error message names a YAML value's type ("a string", "a list", ...)."""
    return {str: "a string", list: "a list", dict: "a mapping", int: "a number", bool: "true/false",
            float: "a decimal number", YamlMap: "a mapping", YamlSeq: "a list", _dt.date: "a date",
            _dt.datetime: "a date and time", bytes: "binary", type(None): "empty"}.get(t, t.__name__)


def empty_seq() -> YamlSeq:
    """An empty YamlSeq (for a key the file leaves out), at line 1."""
    s = YamlSeq()
    s.lines, s.line = [], 1
    return s


class _Builder:
    """Turns a composed YAML node tree into YamlMap/YamlSeq/scalars, counting nodes (alias bombs)."""

    def __init__(self, path: str):
        self.path = path
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_YAML_NODES:
            raise RuleError(f"too many YAML nodes (more than {MAX_YAML_NODES}; aliases expanding?)",
                            path=self.path, line=node.start_mark.line + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            raise RuleError(f"invalid YAML: the tag {node.tag!r} is not allowed (rule files are plain YAML)",
                            path=self.path, line=node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out = YamlMap()
            out.lines, out.line = {}, node.start_mark.line + 1
            for key_node, value_node in node.value:
                key = self.build(key_node)
                line = key_node.start_mark.line + 1
                if not isinstance(key, str):
                    raise RuleError(f"keys must be strings, not {type_name(type(key))}", path=self.path, line=line)
                if key in out:
                    raise RuleError(f"duplicate key (first at line {out.lines[key]})", path=self.path, line=line, key=key)
                out[key] = self.build(value_node)
                out.lines[key] = line
            return out
        if isinstance(node, yaml.SequenceNode):
            seq = YamlSeq(self.build(n) for n in node.value)
            seq.lines, seq.line = [n.start_mark.line + 1 for n in node.value], node.start_mark.line + 1
            return seq
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise RuleError(f"invalid YAML value {node.value!r}: {exc}", path=self.path,
                            line=node.start_mark.line + 1) from None


def load_yaml(text: str, path: str) -> Any:
    """Parse `text` (the file at `path`, named in errors) with PyYAML's safe loader only: a
    YamlMap, a YamlSeq, a scalar, or None for an empty file. Raises RuleError (with the line)
    for invalid YAML, a tag, a duplicate key, a non-string key or too many nodes."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            return None
        builder = _Builder(path)
        try:
            return builder.build(node)
        finally:
            builder.constructor.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RuleError(f"invalid YAML: {exc.problem or exc.context}", path=path, line=line) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses; its str() spans two lines
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        raise RuleError(f"invalid YAML: character {exc.character!r} is not allowed", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise RuleError("invalid YAML: " + " ".join(str(exc).split()), path=path) from None
    except RecursionError:
        raise RuleError("invalid YAML: nested too deeply", path=path) from None

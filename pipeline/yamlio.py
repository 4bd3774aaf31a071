"""Every YAML read: .yaml post-mortems, Markdown front matter and the configuration.

Safe loading only (no Python tags), with libyaml's C parser when PyYAML has it (several times
faster) and the pure-Python parser otherwise; both are given the same constructors, so they
return the same values. Before any value is built, the node tree is checked:

- no alias (``*name``): a 530-byte file of nested aliases expands to gigabytes once its
  values are walked, so a document that uses one is refused, with the alias's line;
- no nesting deeper than MAX_DEPTH;

and no text over MAX_CHARS is parsed at all.

Dates and timestamps stay the text they were (``incident_date: 2024-02-30`` is the string
"2024-02-30"), so the field readers in pipeline.values decide, and warn, as for every other
format; so do integers too long for any count and sexagesimal "1:20" (YAML 1.1 reads it as 80).
Every mapping remembers the line of each key (see key_lines), for warnings that name a line.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

MAX_DEPTH = 50
TOO_DEEP = f"not accepted: nested more than {MAX_DEPTH} levels deep"
# Digits beyond any count the database holds; longer integers stay text for the field reader to refuse.
MAX_INT_CHARS = 30
# Characters of YAML read in one file: libyaml builds about a megabyte of nodes a second (a 4 MB file took
# over 4 s); a post-mortem is a few kB and the demo's largest batch file 29 kB.
MAX_CHARS = 2_000_000


class YamlError(ValueError):
    """Text that is not YAML we read. The message reads after "is": "not valid YAML (...)" or
    "not accepted: ..."; ``line`` is the file's line number when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class _Mapping(dict):
    """A YAML mapping that knows the line of each of its keys (as written) and its own line."""

    __slots__ = ("line", "key_lines")


def key_lines(mapping) -> dict[str, int]:
    """The line of each key of a mapping this module read; {} for any other value."""
    return dict(getattr(mapping, "key_lines", {}))


class _Constructors:
    """What differs from PyYAML's safe constructors (shared by the C and Python loaders)."""

    first_line = 1

    def construct_lined_map(self, node):
        data = _Mapping()
        data.line = node.start_mark.line + self.first_line
        data.key_lines = {k.value: k.start_mark.line + self.first_line
                          for k, _ in node.value if isinstance(k, ScalarNode)}
        yield data
        data.update(self.construct_mapping(node))

    def construct_text(self, node):
        return self.construct_scalar(node)

    def construct_int_or_text(self, node):
        value = self.construct_scalar(node)
        if ":" in value or len(value) > MAX_INT_CHARS:
            return value
        return self.construct_yaml_int(node)


def _loader(base: type) -> type:
    cls = type(f"Hindsight{base.__name__}", (_Constructors, base), {})
    cls.add_constructor("tag:yaml.org,2002:map", _Constructors.construct_lined_map)
    cls.add_constructor("tag:yaml.org,2002:timestamp", _Constructors.construct_text)
    cls.add_constructor("tag:yaml.org,2002:int", _Constructors.construct_int_or_text)
    return cls


PythonLoader = _loader(yaml.SafeLoader)
Loader = _loader(yaml.CSafeLoader) if getattr(yaml, "__with_libyaml__", False) else PythonLoader


def load(text: str, first_line: int = 1, loader: type | None = None):
    """The one document in ``text`` (None when empty). ``first_line`` is the file's line number
    of the text's first line, for front matter. Raises YamlError."""
    docs = load_all(text, first_line, loader)
    if len(docs) > 1:
        raise YamlError("not valid YAML (expected a single document, but found a second one)",
                        _second_document_line(text, first_line))
    return docs[0] if docs else None


def load_all(text: str, first_line: int = 1, loader: type | None = None) -> list:
    """Every document in ``text``, empty ones as None. Raises YamlError."""
    if len(text) > MAX_CHARS:
        raise YamlError(f"not accepted: {len(text) / 1e6:.1f} MB of YAML; YAML is read up to "
                        f"{MAX_CHARS / 1e6:.0f} MB in one file (a post-mortem is a few kB)", None)
    docs, reader = [], None
    try:
        reader = (loader or Loader)(text)  # the pure-Python reader checks every character here
        reader.first_line = first_line
        while reader.check_node():
            node = reader.get_node()
            _check(node, text, first_line)
            docs.append(reader.construct_document(node))
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML ({_reason(exc)})", _line(exc, text, first_line)) from None
    except RecursionError:  # the pure-Python parser recurses per level
        raise YamlError(TOO_DEEP, None) from None
    finally:
        if reader is not None:
            reader.dispose()
    return docs


def _check(root, text: str, first_line: int) -> None:
    """Refuse aliases and deep nesting, walking the node tree without building any value.
    An alias makes two places share one node, so a node met twice is an alias."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise YamlError("not accepted: it uses a YAML alias (*name); write the value out in full",
                            _alias_line(text, first_line))
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlError(TOO_DEEP, node.start_mark.line + first_line)
        if isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)


def _alias_line(text: str, first_line: int) -> int | None:
    """The line of the first alias (only on the way to an error: this parses the text again)."""
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + first_line
    except yaml.YAMLError:
        pass
    return None


def _second_document_line(text: str, first_line: int) -> int | None:
    try:
        starts = [e.start_mark.line for e in yaml.parse(text, Loader=Loader)
                  if isinstance(e, yaml.DocumentStartEvent)]
    except yaml.YAMLError:
        return None
    return starts[1] + first_line if len(starts) > 1 else None


def _reason(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError):
        return f"character U+{exc.character:04X} is not allowed" if isinstance(exc.character, int) \
            else "the text holds characters YAML does not allow"
    return str(getattr(exc, "problem", None) or getattr(exc, "context", None) or "not valid YAML")


def _line(exc: yaml.YAMLError, text: str, first_line: int) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + first_line
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        return text.count("\n", 0, position) + first_line
    return None

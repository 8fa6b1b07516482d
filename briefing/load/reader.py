"""Reading a content file within limits: bytes, UTF-8, YAML composed by a bounded composer (depth and
expanded size checked while composing), core-schema tags only, syntax errors as one line at the problem."""
from __future__ import annotations

from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:  # libyaml scans ~100x faster than pure Python: a 4 MB file is read in well under a second
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = None  # type: ignore[misc, assignment]

from ..errors import ContentError, ErrorList, Where
from .nodes import _BAD_CHARS, CORE_TAGS, _Ctx, bad_char_problem

MAX_FILE_BYTES = 4 * 1024 * 1024       # a briefing is a few hundred KB at most
MAX_NODES = 50_000                     # caps alias expansion ("billion laughs"); the sample has 3 255
MAX_DEPTH = 40                         # the format needs about 12 levels


class _Limit(Exception):
    """A content file too big to compose: raised by the composer before the work blows up."""

    def __init__(self, what: str, fix: str, mark) -> None:
        super().__init__(what)
        self.what, self.fix, self.mark = what, fix, mark


class _BoundedComposer(Composer):
    """PyYAML's composer with two limits checked while composing, not after.

    Depth: the composer recurses once per level, so 100 000 nested `[` would exhaust the stack; stopping
    at MAX_DEPTH keeps the recursion shallow. Size: an alias reuses a node without copying it, but the
    conversion walks it once per reference, so "billion laughs" files are caught by counting every alias
    as the size of what it expands to.
    """

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._count = 0
        self._aliased = False
        self._sizes: dict[str, int] = {}   # anchor → expanded node count

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            self._grow(self._sizes.get(event.anchor, 1), event.start_mark, alias=True)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _nesting_limit(event.start_mark)
        before = self._count
        self._grow(1, event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor:
            self._sizes[anchor] = self._count - before
        return node

    def _grow(self, n: int, mark, alias: bool = False) -> None:
        self._count += n
        self._aliased = self._aliased or alias
        if self._count > MAX_NODES:
            if self._aliased:
                raise _Limit(f"more than {MAX_NODES:,} values once YAML aliases (*name) are expanded",
                             "write the content out plainly, without anchors (&) and aliases (*)", mark)
            raise _Limit(f"more than {MAX_NODES:,} values (a briefing has a few thousand)",
                         "split the content into several briefings", mark)


if _Parser is not None:
    class _Loader(_BoundedComposer, _Parser, Resolver):
        """libyaml scans and parses; our composer builds the nodes; the core-schema resolver tags scalars."""

        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            Resolver.__init__(self)
else:  # pragma: no cover
    class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,  # type: ignore[no-redef]
                  _BoundedComposer, Resolver):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            _BoundedComposer.__init__(self)
            Resolver.__init__(self)


def _at(ctx: _Ctx, mark) -> Where:
    return Where(ctx.file, mark.line + 1, mark.column + 1) if mark is not None else Where(ctx.file)


def _syntax_error(ctx: _Ctx, text: str, e: yaml.MarkedYAMLError) -> ContentError:
    """One line for a YAML syntax error, at the problem, naming where the broken construct began."""
    mark = e.problem_mark or e.context_mark
    problem, context = (e.problem or "").strip(), (e.context or "").strip()
    what = problem or context or "invalid YAML"
    cm = e.context_mark
    if problem and context and cm is not None and mark is not None and (cm.line, cm.column) != (mark.line, mark.column):
        at = f"line {cm.line + 1}, column {cm.column + 1}"
        if context.startswith("while "):
            what = f"{problem} ({context[len('while '):]} that starts at {at})"
        else:  # e.g. "found duplicate anchor 'x'; first occurrence" / "second occurrence"
            what = f"{context} at {at}; {problem} here"
    if problem.startswith("did not find") and mark is not None:   # libyaml does not say what it found
        found = text[mark.index] if 0 <= mark.index < len(text) else ""
        what = what.replace(problem, f"{problem}, found " + (
            "the end of the file" if not found else "the end of the line" if found in "\r\n"
            else f"'{found}'"), 1)
    fix = "fix the YAML at that position (check indentation, quotes, colons and brackets)"
    if problem.startswith("mapping values are not allowed"):
        what = "a ': ' inside an unquoted value"
        fix = 'put the value in quotes, e.g. en: "Overview: growth"'
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        what, fix = "a tab character in the indentation or between tokens", "indent with spaces, not tabs"
    return ContentError(f"YAML syntax: {what}", fix, _at(ctx, mark))


def _scan_chars(ctx: _Ctx, text: str) -> None:
    """Every character a content file must not hold, named by code point at its line and column."""
    errors = []
    start = 1 if text.startswith("\ufeff") else 0    # a byte-order mark may open the file
    for mt in _BAD_CHARS.finditer(text, start):
        pos = mt.start()
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        what, fix = bad_char_problem(mt.group(0))
        errors.append(ContentError(what, fix, Where(ctx.file, line, col)))
        if len(errors) > ErrorList.CAP:
            break
    if errors:
        raise ErrorList(errors)


def _nesting_limit(mark) -> _Limit:
    return _Limit(f"nesting deeper than {MAX_DEPTH} levels",
                  "flatten the structure (a briefing needs about a dozen levels)", mark)


def _is_their_nesting_limit(e: yaml.MarkedYAMLError) -> bool:
    """libyaml's own depth limit (1,000 levels, in the libyaml bundled with PyYAML 6.0.4 and later)."""
    return "maximum nesting depth" in (e.problem or "") and e.problem_mark is not None


def _get_node(text: str) -> Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _compose_bounded(text: str) -> Node | None:
    """Compose with our limits firing first, whatever the PyYAML version.

    Newer libyaml refuses more than 1,000 levels itself, and its scanner reads ahead of the composer (up
    to 1,024 characters while a simple key is possible), so on a line of `[[[[…` its limit fires before
    ours. The text before the point where it stopped still opens about 1,000 levels, so composing just
    that stops at our MAX_DEPTH with our message and position."""
    try:
        return _get_node(text)
    except yaml.MarkedYAMLError as e:
        if not _is_their_nesting_limit(e):
            raise
        mark = e.problem_mark
    assert mark is not None   # _is_their_nesting_limit checked it
    try:
        _get_node(text[: max(0, min(mark.index, len(text)))])
    except _Limit:
        raise
    except yaml.YAMLError:
        pass
    raise _nesting_limit(mark)   # (not reached: our limit fires within the levels before `mark`)


def _compose(ctx: _Ctx, text: str) -> Node:
    _scan_chars(ctx, text)
    try:
        node = _compose_bounded(text)
    except _Limit as e:
        raise ErrorList([ContentError(e.what, e.fix, _at(ctx, e.mark))]) from None
    except yaml.MarkedYAMLError as e:
        raise ErrorList([_syntax_error(ctx, text, e)]) from None
    except yaml.reader.ReaderError as e:
        # a control character: libyaml gives a UTF-8 byte offset (pure PyYAML a character index)
        pos = e.position
        if _Parser is not None:
            pos = len(text.encode("utf-8")[: e.position].decode("utf-8", "ignore"))
        pos = max(0, min(pos, len(text)))
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise ErrorList([ContentError(f"control character U+{e.character:04X} is not allowed in YAML"
                                      if isinstance(e.character, int) else f"YAML: {e.reason}",
                                      "delete it (it is invisible in most editors)",
                                      Where(ctx.file, line, col))]) from None
    except yaml.YAMLError as e:
        raise ErrorList([ContentError(f"YAML: {' '.join(str(e).split())}", "fix the YAML",
                                      Where(ctx.file))]) from None
    if node is None:
        raise ErrorList([ContentError("the file is empty", "write a briefing (see docs/content-format.md)",
                                      Where(ctx.file))])
    _check_tags(ctx, node)
    return node


def _check_tags(ctx: _Ctx, root: Node) -> None:
    """Refuse explicit tags (`!!python/object`, `!foo`): the safe resolver would not build them anyway,
    but a content file holds plain data only, and saying so is clearer than ignoring the tag."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:    # aliases share nodes: visit each once
            continue
        seen.add(id(node))
        if node.tag == MERGE and isinstance(node, ScalarNode) and not _explicit_tag(ctx, node):
            raise ErrorList([ContentError("YAML merge keys (<<:) are not supported",
                                          "write the fields out in full in each mapping", ctx.where(node))])
        if node.tag not in CORE_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise ErrorList([ContentError(f"YAML tag '{tag}' is not allowed",
                                          "remove the tag: content files hold plain data only",
                                          ctx.where(node))])
        if isinstance(node, MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


MERGE = "tag:yaml.org,2002:merge"


def _explicit_tag(ctx: _Ctx, node: Node) -> bool:
    """Whether the node's tag is written in the file (`!!merge x`) rather than resolved from `<<`."""
    start, end = node.start_mark.index, node.end_mark.index
    return bool(ctx.text) and ctx.text[start:end].lstrip().startswith("!")


def read_text(path: str | Path) -> str:
    """The content file's text: a regular file of at most MAX_FILE_BYTES (read with that cap, whatever size
    the file system reports), UTF-8. Pipes, devices and sockets are refused before they are opened."""
    from ..inputs import InputProblem, read_capped

    p = Path(path)
    try:
        data = read_capped(p, MAX_FILE_BYTES, what="content file", fix_size="split the briefing into smaller files")
    except InputProblem as e:
        fix = "give a .yaml file" if e.what.startswith("is a folder") else e.fix
        raise ErrorList([ContentError(e.what, fix, Where(str(p)))]) from None
    except FileNotFoundError:
        raise ErrorList([ContentError("no such file", "check the path (content files live in content/)",
                                      Where(str(p)))]) from None
    except PermissionError:
        raise ErrorList([ContentError("cannot read the file: permission denied", "check its permissions",
                                      Where(str(p)))]) from None
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ErrorList([ContentError(f"cannot read the file: {reason}", "check the path",
                                      Where(str(p)))]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise ErrorList([ContentError("the file is not valid UTF-8", "save it as UTF-8",
                                      Where(str(p), line, col))]) from None

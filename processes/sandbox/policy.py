"""What code may say: RestrictedPython's compile-time policy, tightened for BPMN scripts.

:class:`_Policy` refuses ``import``, class definitions, ``with``, ``try/finally``, a bare
``except:``, calls of the :data:`FORBIDDEN_NAMES` and computed or huge f-string format
specs; it rewrites every loop body to tick the run's counter and the size-building
operators into calls of their guards. :func:`check_script` and :func:`check_expression`
compile without running, so a deploy can refuse a hostile model before any of it runs.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from types import CodeType
from typing import Any, Final, Literal

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import RestrictingNodeTransformer

from ..errors import ScriptRefused, one_line
from .guards import BINOP_GUARDS
from .limits import MAX_FORMAT_WIDTH, SCRIPT_FILENAME

# Names a script may not use. Calls to them are refused at compile time; any other use
# is refused when the name turns out to be unbound at run time (data may shadow them).
FORBIDDEN_NAMES: Final = frozenset(
    {
        "__import__",
        "__build_class__",
        "aiter",
        "anext",
        "breakpoint",
        "bytearray",
        "bytes",
        "callable",
        "classmethod",
        "compile",
        "copyright",
        "credits",
        "delattr",
        "dir",
        "eval",
        "exec",
        "exit",
        "format",
        "getattr",
        "globals",
        "hasattr",
        "help",
        "id",
        "input",
        "issubclass",
        "iter",
        "license",
        "locals",
        "memoryview",
        "next",
        "object",
        "open",
        "property",
        "quit",
        "reload",
        "setattr",
        "staticmethod",
        "super",
        "type",
        "vars",
    }
)


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, tightened for BPMN scripts and size-guarded operators."""

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "import statements are not allowed")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(node, "import statements are not allowed")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "class definitions are not allowed")
        return node

    def visit_With(self, node: ast.With) -> ast.AST:
        self.error(node, "with statements are not allowed")
        return node

    def visit_Try(self, node: ast.Try) -> Any:
        if node.finalbody:
            self.error(node, "try/finally is not allowed")
        return super().visit_Try(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        if node.type is None:
            self.error(node, "a bare 'except:' is not allowed; name the exception")
        return super().visit_ExceptHandler(node)

    def visit_Call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_NAMES - {"eval", "exec"}:
            self.error(node, f'"{func.id}" is not available in scripts')
        return super().visit_Call(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec
        if spec is not None:
            if isinstance(spec, ast.JoinedStr) and all(
                isinstance(v, ast.Constant) and isinstance(v.value, str) for v in spec.values
            ):
                text = "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))
                if any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", text)):
                    self.error(node, f"format widths above {MAX_FORMAT_WIDTH} are not allowed")
            else:
                self.error(node, "computed format specs in f-strings are not allowed")
        return super().visit_FormattedValue(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        # f'{s}{s}' doubled a text 30 times to 2.95 GB: each {value} is checked before it
        # becomes text (_fval_) and the pieces are joined once their total length is known
        # (_fjoin_). A constant format spec (a JoinedStr of constants) is left as it is.
        visited = super().visit_JoinedStr(node)
        if not any(isinstance(v, ast.FormattedValue) for v in node.values):
            return visited
        parts: list[ast.expr] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                value.value = _call("_fval_", value.value)
                parts.append(ast.JoinedStr(values=[value]))
            else:
                parts.append(value)
        joined = _call("_fjoin_", ast.Tuple(elts=parts, ctx=ast.Load()))
        return ast.fix_missing_locations(ast.copy_location(joined, node))

    def visit_Set(self, node: ast.Set) -> Any:
        # {*items}: the set is built in one C call, so the items' hashes are checked first.
        visited = super().visit_Set(node)
        if not any(isinstance(e, ast.Starred) for e in node.elts):
            return visited
        listed = ast.List(elts=node.elts, ctx=ast.Load())
        return ast.fix_missing_locations(ast.copy_location(_call("_set_", listed), node))

    def visit_Starred(self, node: ast.Starred) -> Any:
        # [*a, *a] doubles a list in one C call: each unpacked value is sized and charged
        # to the run first (_star_). Targets (a, *rest = ...) are left alone.
        visited = super().visit_Starred(node)
        if isinstance(node.ctx, ast.Load) and isinstance(visited, ast.Starred):
            visited.value = ast.fix_missing_locations(
                ast.copy_location(_call("_star_", visited.value), visited.value)
            )
        return visited

    def visit_While(self, node: ast.While) -> Any:
        return self._count_iterations(super().visit_While(node))

    def visit_For(self, node: ast.For) -> Any:
        return self._count_iterations(super().visit_For(node))

    @staticmethod
    def _count_iterations(node: Any) -> Any:
        # ``while True: pass`` compiles to a jump onto itself, which CPython 3.11 does
        # not report to trace functions, so every loop body starts with ``_loop_()``.
        if isinstance(node, (ast.While, ast.For)):
            tick = ast.Expr(ast.Call(func=ast.Name("_loop_", ast.Load()), args=[], keywords=[]))
            node.body.insert(0, ast.fix_missing_locations(ast.copy_location(tick, node)))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        visited = super().visit_BinOp(node)
        guard = BINOP_GUARDS.get(type(node.op))
        if guard is None or not isinstance(visited, ast.BinOp):
            return visited
        call = ast.Call(
            func=ast.Name(guard, ast.Load()), args=[visited.left, visited.right], keywords=[]
        )
        return ast.fix_missing_locations(ast.copy_location(call, visited))


def _call(name: str, argument: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=[argument], keywords=[])


# -------------------------------------------------------------------- compiling


def prefix(where: str) -> str:
    """'element X: ' before a message about element X, nothing when there is none."""
    return f"{where}: " if where else ""


@lru_cache(maxsize=4096)
def _compile(source: str, mode: Literal["exec", "eval"]) -> CodeType | tuple[str, ...]:
    """Compiled code, or the policy's error messages. Cached by source text."""
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, filename=SCRIPT_FILENAME, policy=_Policy)
    if result.errors or result.code is None:
        return tuple(result.errors) or ("could not be compiled",)
    return result.code


def compiled_code(source: object, mode: Literal["exec", "eval"], where: str) -> CodeType:
    """The restricted code of ``source``, or :class:`ScriptRefused` saying why not."""
    kind = "script" if mode == "exec" else "expression"
    if not isinstance(source, str):
        raise ScriptRefused(f"{prefix(where)}{kind} is not text but {type(source).__name__}")
    text = source.strip() if mode == "eval" else source
    if not text.strip():
        raise ScriptRefused(f"{prefix(where)}{kind} is empty")
    compiled = _compile(text, mode)
    if isinstance(compiled, CodeType):
        return compiled
    syntax = any("SyntaxError" in e or "IndentationError" in e for e in compiled)
    verdict = "is not valid Python" if syntax else "refused"
    raise ScriptRefused(f"{prefix(where)}{kind} {verdict}: {one_line('; '.join(compiled), 120)}")


def check_expression(source: str, *, where: str = "") -> None:
    """Raise :class:`ScriptRefused` unless ``source`` compiles as a restricted expression."""
    compiled_code(source, "eval", where)


def check_script(source: str, *, where: str = "") -> None:
    """Raise :class:`ScriptRefused` unless ``source`` compiles as a restricted script."""
    compiled_code(source, "exec", where)

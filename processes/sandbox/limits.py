"""The run-time bounds of one script or expression run: time, steps, call depth, sizes.

A run installs :class:`Run` as the thread's ``sys.settrace`` hook. The hook counts trace
events and checks a wall-clock deadline on every one; the guards (``guards.py``) and the
bounded builtins (``safe_builtins.py``) charge the size of every result they build to the
same run. Both stops are ``BaseException`` subclasses a script cannot name or catch.
"""

from __future__ import annotations

import threading
import time
from types import FrameType
from typing import Any, Final

# --------------------------------------------------------------------------- limits

DEFAULT_TIME_LIMIT: Final = 2.0  # seconds of wall time per script or expression
DEFAULT_MAX_STEPS: Final = 2_000_000  # trace events per script or expression
MAX_CALL_DEPTH: Final = 100  # nested calls of functions the script defines
MAX_SEQUENCE_LENGTH: Final = 1_000_000  # elements/characters of any one guarded result
MAX_TOTAL_SIZE: Final = 10_000_000  # sum of guarded result sizes over one run
MAX_INT_BITS: Final = 10_000  # ~3000 digits: stays printable and JSON-serialisable
# Operands of //, %, divmod, pow: task data may hold a 4,300-digit integer (14,300 bits).
MAX_OPERAND_BITS: Final = 20_000
# pow(a, e, m) costs about bits(e) * bits(m)**2 word operations: 2**35 is ~0.1 s here
# (an RSA-2048 step is 2**33); pow(3, 2**10000-1, 2**10000-1) took 1.9 s.
MAX_POW_COST: Final = 2**35
MAX_ROUND_DIGITS: Final = 1_000  # round(x, -n) computes 10**n
# Distinct values of one hash a set or dict may be built from in one call: more make each
# insertion walk all the others (a million ints spaced 2**61-1 apart: about 3 hours).
MAX_SAME_HASH: Final = 1_000
MAX_FORMAT_WIDTH: Final = 10_000  # width/precision in %-formatting and f-strings
MAX_JSON_DEPTH: Final = 100
MAX_JSON_SIZE: Final = 5_000_000  # values + characters a script may write back per run

SCRIPT_FILENAME: Final = "<bpmn-script>"


class Refusal(BaseException):
    """Raised by a runtime guard. A BaseException so scripts cannot catch it."""


class LimitExceeded(BaseException):
    """Raised when a run exceeds its time or size bounds. Uncatchable by scripts."""


# --------------------------------------------------------------------- run state


class Run:
    """Bounds for one script or expression run; its ``trace`` is the ``sys.settrace`` hook."""

    __slots__ = (
        "active",
        "deadline",
        "depth",
        "line",
        "max_steps",
        "size_left",
        "steps",
        "time_limit",
    )

    def __init__(self, time_limit: float, max_steps: int) -> None:
        self.time_limit = time_limit
        self.max_steps = max_steps
        self.deadline = time.monotonic() + time_limit
        self.steps = 0
        self.depth = 0
        self.size_left = MAX_TOTAL_SIZE
        self.line: int | None = None  # last script line reported to the tracer
        self.active = True

    def charge(self, size: int) -> None:
        self.size_left -= size
        if self.size_left < 0:
            raise LimitExceeded(
                f"exceeded the size limit (more than {MAX_TOTAL_SIZE} elements built)"
            )

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise LimitExceeded(f"exceeded the time limit (more than {self.max_steps} steps)")
        self.check_deadline()

    def check_deadline(self) -> None:
        """Stop the run if its time is up: also after one long C-level operation returned,
        when no further trace event would come (``a // b`` as the whole expression)."""
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"exceeded the time limit ({self.time_limit:g} s)")

    def trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        """Global trace function: called for every new frame in this thread."""
        if not self.active:
            return None
        self.tick()
        if frame.f_code.co_filename != SCRIPT_FILENAME:
            return None  # helpers and guards: counted, not traced line by line
        self.depth += 1
        if self.depth > MAX_CALL_DEPTH:
            raise LimitExceeded(f"calls nested more than {MAX_CALL_DEPTH} deep")
        return self._trace_local

    def _trace_local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if not self.active:
            return None
        if event == "return":
            self.depth -= 1
            self.check_deadline()
            return None
        if event == "line":
            self.line = frame.f_lineno
        self.tick()
        return self._trace_local


# The run of this thread, if any: the guards charge what they build to it.
_state = threading.local()


def current_run() -> Run | None:
    """The run this thread is in, or None outside any script (a guard then only checks)."""
    run: Run | None = getattr(_state, "run", None)
    return run


def set_current_run(run: Run | None) -> None:
    """Make ``run`` the one this thread's guards charge (None: outside any script)."""
    _state.run = run


def tick_loop() -> None:
    """``_loop_``: the policy starts every loop body with a call, so a loop is one step."""
    run = current_run()
    if run is not None:
        run.tick()


def check_size(size: int, what: str) -> None:
    """Stop the run before a result of ``size`` elements is built, or charge it to the run."""
    if size > MAX_SEQUENCE_LENGTH:
        raise LimitExceeded(
            f"exceeded the size limit ({what} of {size} elements; at most {MAX_SEQUENCE_LENGTH})"
        )
    run = current_run()
    if run is not None:
        run.charge(size)


def check_deadline() -> None:
    """After an operation that may have run long in C: stop the run if its time is up."""
    run = current_run()
    if run is not None:
        run.check_deadline()


def check_int_bits(bits: int) -> None:
    """Stop the run before an integer of more than ``MAX_INT_BITS`` bits is computed."""
    if bits > MAX_INT_BITS:
        raise LimitExceeded(
            f"exceeded the size limit (an integer of more than {MAX_INT_BITS} bits)"
        )

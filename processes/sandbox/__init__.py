"""Restricted evaluation of everything a BPMN/DMN model asks the engine to run.

SpiffWorkflow's default ``PythonScriptEngine`` calls ``exec``/``eval`` with the full
builtins, so an uploaded model could run ``os.system``. Every script task, pre/post
script, gateway condition, timer expression, DMN cell, multi-instance expression and
service-task parameter goes through an *environment* object; this package supplies one
that compiles with RestrictedPython and runs with a curated namespace.

What a script may use: the JSON values of the task data, the plain functions in
``environment.HELPERS``, the ordinary exception classes, and the methods of data values
(``'abc'.upper()``, ``d.get('k')``, ``l.append(2)``). What it may not: ``import``,
names or attributes starting with ``_``, ``open``/``eval``/``exec``/``getattr``/``type``
and friends, attributes of functions, classes or modules, class definitions, ``with``,
``try/finally`` and bare ``except:`` (those last two could swallow the time limit).

Bounded:

* run time -- a ``sys.settrace`` hook counts trace events (calls, lines, loop
  iterations, including those of comprehensions and of functions the script defines)
  and checks a wall-clock deadline on every event. The stop is a ``BaseException`` the
  script cannot catch (no bare ``except``, no ``finally``, no ``BaseException`` name).
  It works in any thread; no signals.
* call depth of functions the script defines (so the tracer itself never meets
  ``RecursionError``, which would silently switch it off).
* size of every ``*``, ``+``, ``**`` and ``<<`` result, %-format widths and results,
  f-string format widths and results (the pieces are joined by ``_fjoin_`` once their
  total is known), every ``*x`` unpacked into a display or a call, ``range`` and the
  other list-building helpers, and the results of
  ``str.ljust/rjust/center/zfill/expandtabs/replace/join/translate``, ``int.to_bytes``
  and ``list.extend``; plus a cumulative budget over all of those (``MAX_TOTAL_SIZE``),
  so ``'a' * 10**10``, ``[0] * 10**9`` or 40 doublings of ``f'{s}{s}'`` fail at once
  with :class:`ScriptFailed` instead of allocating gigabytes. ``str()``, f-strings and
  ``%s`` of a container first count what its text would hold (a list holding itself
  twice, 40 times over, is a trillion elements as text).
* the cost of integer arithmetic, before it runs: ``int()`` of text is refused past
  ``MAX_INT_BITS`` (``int('f' * 999999, 16)``), ``+``/``-`` stop at the limit,
  ``//``, ``%``, ``divmod`` and ``pow`` refuse operands over ``MAX_OPERAND_BITS``, and
  ``pow(a, e, m)`` costing more than ``MAX_POW_COST`` word operations;
  ``round(x, -n)`` at most ``MAX_ROUND_DIGITS``.
* sets and dicts built in one C call (``{*items}``, ``dict(pairs)``, ``dict.fromkeys``,
  ``dict.update``, ``keys() & items``): more than ``MAX_SAME_HASH`` distinct values with
  one hash are refused before the quadratic insertion starts.
* what a script writes back: JSON only, at most ``MAX_JSON_SIZE`` values+characters
  (shared references such as ``[['x' * 10**6] * 10**6]`` would otherwise explode when
  serialised), nested at most ``MAX_JSON_DEPTH`` deep, no cycles, and text a database
  and the history's hash can hold (no NUL, no lone surrogate).

The deadline is checked on every trace event and again when the code returns, so one
long C-level operation at the end of an expression is still a time-out. What no check
in this process can stop (a C call that runs long without building anything, such as
comparing two deeply shared structures) is stopped by the operating system: code runs
in a pool of worker processes with CPU, memory and wall-time limits (``pool.py``).

Where each part is, so the guards and the policy read without anything else:

* ``policy.py`` -- compile time: the RestrictedPython node transformer, the forbidden
  names, ``check_script``/``check_expression`` (a deploy compiles, never runs).
* ``guards.py`` -- what the compiled code calls for attribute, item, iteration, write
  and the size-building operators.
* ``costs.py`` -- what one C-level operation may cost, checked before it runs (big
  integers, colliding hashes, the text of shared structures, doubling displays).
* ``limits.py`` -- the bounds and the ``sys.settrace`` run that enforces them.
* ``safe_builtins.py`` -- the builtins a script may call, size-checked, and the
  exception classes it may name.
* ``json_values.py`` -- what a script may leave in the task data.
* ``environment.py`` -- ``RestrictedEnvironment`` and ``RestrictedScriptEngine``, which
  put the above together for SpiffWorkflow.

Imports run one way: ``limits`` <- ``costs`` <- ``guards`` <- ``policy``, ``safe_builtins``,
``json_values`` <- ``environment``. Nothing outside the package needs more than
``environment`` (to run code) and ``policy`` (to check it).

The domain helpers scripts may call (``today``, ``parse_date``, ``days_between``,
``add_days``, ``age_on``, ``working_days_duration``) are plain date arithmetic with
nothing to refuse or bound, so they live outside this package, in
``processes/script_helpers.py``; ``environment.py`` adds them to the bounded builtins.
"""

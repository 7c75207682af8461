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
* size of every ``*``, ``+``, ``**`` and ``<<`` result, %-format widths, f-string
  format widths, ``range`` and the other list-building helpers, and the results of
  ``str.ljust/rjust/center/zfill/expandtabs/replace/join/translate``, ``int.to_bytes``
  and ``list.extend``; plus a
  cumulative budget over all of those (``MAX_TOTAL_SIZE``), so ``'a' * 10**10`` or
  ``[0] * 10**9`` fail at once with :class:`ScriptFailed` instead of allocating
  gigabytes.
* what a script writes back: JSON only, at most ``MAX_JSON_SIZE`` values+characters
  (shared references such as ``[['x' * 10**6] * 10**6]`` would otherwise explode when
  serialised), nested at most ``MAX_JSON_DEPTH`` deep, no cycles.

Not bounded except by the time limit, which is checked only between trace events:

* a single long-running C call (e.g. ``sorted`` of a million-element list) is not
  interrupted midway; the deadline is checked when it returns.
* memory. Besides element-by-element growth, some doubling routes are not guarded:
  f-strings and %-arguments (``s = f'{s}{s}'``), star-unpacking (``a = [*a, *a]``),
  ``str()`` of a container, list slice assignment, ``list()``/``dict()`` of a large
  value. About 30 doublings exhaust memory well before the time limit, so run workers
  with an address-space limit (``RLIMIT_AS``/cgroup memory limit) as the last line of
  defence.

Where each part is, so the guards and the policy read without anything else:

* ``policy.py`` -- compile time: the RestrictedPython node transformer, the forbidden
  names, ``check_script``/``check_expression`` (a deploy compiles, never runs).
* ``guards.py`` -- what the compiled code calls for attribute, item, iteration, write
  and the size-building operators.
* ``limits.py`` -- the bounds and the ``sys.settrace`` run that enforces them.
* ``safe_builtins.py`` -- the builtins a script may call, size-checked, and the
  exception classes it may name.
* ``json_values.py`` -- what a script may leave in the task data.
* ``environment.py`` -- ``RestrictedEnvironment`` and ``RestrictedScriptEngine``, which
  put the above together for SpiffWorkflow.

Imports run one way: ``limits`` <- ``guards`` <- ``policy``, ``safe_builtins``,
``json_values`` <- ``environment``. Nothing outside the package needs more than
``environment`` (to run code) and ``policy`` (to check it).

The domain helpers scripts may call (``today``, ``parse_date``, ``days_between``,
``add_days``, ``age_on``, ``working_days_duration``) are plain date arithmetic with
nothing to refuse or bound, so they live outside this package, in
``processes/script_helpers.py``; ``environment.py`` adds them to the bounded builtins.
"""

"""Deploy-time checks: what parsing alone does not catch, said in plain words.

Two kinds, each yielding ``ModelError`` lines that name file, line and element:

* **Tree checks** run on the hardened lxml trees *before* SpiffWorkflow sees them. They
  find what would make SpiffWorkflow crash or answer in its own terms (a dangling
  sequence flow, a service task with no operator, a DMN table without ids, a called
  process or decision that is not in the bundle) and what another engine's model
  expects that this one would silently skip (Camunda external tasks, listeners).
* **Definition checks** run on the parsed spec: lanes are known roles, forms exist,
  operators are registered, and every script, condition, timer and DMN cell compiles
  under the restricted environment. Code is compiled, never run, so a hostile model is
  refused before any of it executes.

By what they check:

* ``structure.py`` -- BPMN trees: sequence flows, boundary events, default flows, call
  activities and recursion, decision references, data stores, extension attributes.
* ``foreign.py`` -- what another engine would run and this one would not: Camunda,
  Activiti and Flowable delegates, external tasks, listeners, non-Python scripts.
* ``dmn.py`` -- DMN trees and parsed decision tables: ids, entry counts, hit policies,
  and every cell (Python, not FEEL).
* ``code.py`` -- every script, condition, timer and expression a task spec will run,
  compiled by the sandbox's policy.
* ``tasks.py`` -- the parsed definition: lanes are roles, forms exist, due hints read,
  operators are registered, and the code of every task.
* ``nodes.py`` -- what the others share: qualified tags, the element a problem is about.

Imports run one way: ``nodes`` and ``code`` import no other check, ``foreign`` imports
``nodes``, ``structure`` imports ``foreign``, ``dmn`` imports ``code``, ``tasks`` imports
``code`` and ``dmn``. The checks read ``processes.definition`` and never
``processes.catalog``, which calls them.
"""

"""Keep a workflow's stored state as small as its live part, however long the case ran.

SpiffWorkflow keeps every finished task in its task tree: each round of a rework loop
adds a few tasks, so the stored state, its load and its save grow with the case's age,
and past depth 1,000 SpiffWorkflow's task iterator stops and the case silently looks
finished. The engine does not need that past: the case history (hash-chained
CaseEvents with the data before and after each step) is the record, not the task tree.

``compact`` re-roots the tree at the deepest finished task that is an ancestor of every
unfinished task and drops everything outside the new root's subtree. What the engine
still reads is kept:

- every unfinished task and all its ancestors up to the new root, so data inheritance,
  ``find_ancestor`` (boundary events, structured joins) and ``is_descendant_of`` work;
- every task below the new root, so a parallel or inclusive join still sees the
  branches that already arrived (they all descend from the split, which is at or below
  the lowest common ancestor of the branches still running);
- the new root is never a join, because joins read their task's parent.

Each running subprocess's own tree (``bpmn:subProcess``, call activity) is compacted
the same way: issue 19 found a rework loop inside a subprocess growing 50-fold over 300
rounds until its waiting task vanished past SpiffWorkflow's depth limit. A finished
subprocess is dropped with its calling task.

Left alone (never compacted): a workflow or subprocess with event subprocesses (they are
started below the root task), and one with a parallel or inclusive gateway that merges
a first entry with a loop-back flow (BPMN would have it wait for both tokens;
SpiffWorkflow lets the loop-back pass by walking its ancestors back to the start event,
which compaction would drop). None of this project's models has any of these. So that
such a tree can never silently lose its tasks, ``check_depth`` refuses to store a tree
deeper than ``MAX_TREE_DEPTH`` (SpiffWorkflow's task iterator stops at 1,000).
"""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.specs.WorkflowSpec import WorkflowSpec
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .errors import TaskTreeTooDeep

# SpiffWorkflow's task iterator stops at depth 1,000 and a deeper workflow silently
# looks finished; a tree this deep is refused before it is stored.
MAX_TREE_DEPTH = 800


def compact(workflow: BpmnWorkflow) -> int:
    """Drop the finished tasks no unfinished task needs, in the workflow's tree and in
    each running subprocess's; return how many were dropped."""
    dropped = _compact_tree(workflow)
    for subprocess in list(workflow.subprocesses.values()):
        dropped += _compact_tree(subprocess)
    _drop_orphan_subprocesses(workflow)
    return dropped


def _compact_tree(workflow: Any) -> int:
    """Re-root one tree (the workflow's or a subprocess's) at its new root."""
    if not compactable(workflow.spec):
        return 0
    root = _new_root(workflow)
    if root is None or root is workflow.task_tree:
        return 0
    kept = _subtree_ids(root)
    dropped = len(workflow.tasks) - len(kept)
    # In their old order: SpiffWorkflow hands events to catching tasks in this order.
    workflow.tasks = {task_id: task for task_id, task in workflow.tasks.items() if task_id in kept}
    root._parent = None
    workflow.task_tree = root
    if workflow.last_task is not None and workflow.last_task.id not in kept:
        workflow.last_task = root
    return dropped


def check_depth(workflow: BpmnWorkflow) -> None:
    """Refuse a tree SpiffWorkflow could no longer walk: raise ``TaskTreeTooDeep``.

    A subprocess's tasks count from the depth of the task that called it, as the
    iterator that walks into subprocesses counts them."""
    deepest = tree_depth(workflow)
    if deepest > MAX_TREE_DEPTH:
        raise TaskTreeTooDeep(
            f"the case's task tree is {deepest} tasks deep, beyond the engine's safe bound "
            f"of {MAX_TREE_DEPTH}: past it SpiffWorkflow stops seeing waiting tasks, so the "
            "step was not taken. The model loops in a way that is never compacted (an "
            "event subprocess, or a parallel gateway taking a loop-back); change the model"
        )


def tree_depth(workflow: BpmnWorkflow) -> int:
    """The deepest task of the workflow, subprocess trees below their calling task."""
    offsets: dict[Any, int] = {}

    def offset(sub: Any) -> int:
        if sub.parent_task_id not in offsets:
            caller = workflow.get_task_from_id(sub.parent_task_id)
            owner = caller.workflow if caller is not None else workflow
            base = 0 if owner is workflow else offset(owner)
            offsets[sub.parent_task_id] = base + (caller.depth + 1 if caller else 0)
        return offsets[sub.parent_task_id]

    deepest = max((task.depth for task in workflow.tasks.values()), default=0)
    for sub in workflow.subprocesses.values():
        sub_depth = max((task.depth for task in sub.tasks.values()), default=0)
        deepest = max(deepest, offset(sub) + sub_depth)
    return deepest


@cache
def compactable(spec: WorkflowSpec) -> bool:
    """Whether compaction keeps everything this process's engine reads (see above)."""
    if getattr(spec.start, "trigger_specs", None):
        return False
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, UnstructuredJoin) and len(task_spec.inputs) > 1:
            downstream = _reachable(task_spec)
            if 0 < sum(i in downstream for i in task_spec.inputs) < len(task_spec.inputs):
                return False
    return True


def _reachable(start: TaskSpec) -> set[TaskSpec]:
    """Every task spec reachable from ``start`` by its outputs."""
    seen: set[TaskSpec] = set()
    stack = list(start.outputs)
    while stack:
        spec = stack.pop()
        if spec not in seen:
            seen.add(spec)
            stack.extend(spec.outputs)
    return seen


def _new_root(workflow: Any) -> Task | None:
    """The deepest finished non-join task on the path shared by every unfinished task."""
    unfinished = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not unfinished:
        return None  # a finished case is never stepped again; leave it whole
    shared = _path(unfinished[0])
    for task in unfinished[1:]:
        path = _path(task)
        length = 0
        while length < min(len(shared), len(path)) and shared[length] is path[length]:
            length += 1
        shared = shared[:length]
    for task in reversed(shared):
        if task.has_state(TaskState.FINISHED_MASK) and not isinstance(task.task_spec, Join):
            return task
    return None


def _path(task: Task) -> list[Task]:
    """The tasks from the root down to ``task``, both included."""
    path = []
    current: Task | None = task
    while current is not None:
        path.append(current)
        current = current.parent
    path.reverse()
    return path


def _subtree_ids(root: Task) -> set[UUID]:
    ids: set[UUID] = set()
    stack = [root]
    while stack:
        task = stack.pop()
        ids.add(task.id)
        stack.extend(task.children)
    return ids


def _drop_orphan_subprocesses(workflow: BpmnWorkflow) -> None:
    """Forget subprocesses whose calling task was dropped (nested ones go with them)."""
    while True:
        live_ids = set(workflow.tasks)
        for subprocess in workflow.subprocesses.values():
            live_ids.update(subprocess.tasks)
        orphans = [key for key in workflow.subprocesses if key not in live_ids]
        if not orphans:
            return
        for key in orphans:
            del workflow.subprocesses[key]

"""Four eyes as a rule of the model (docs/modelling.md §4, ``fourEyes``).

A user task may declare that whoever completed named earlier steps of the case (or any
step, its opening included) may not complete it: the HR officer who nominated a member
for a commendation does not also approve it, even holding both roles. The rule reads the
case's signed history, so it holds whoever opened the case: a person, the engine or the
public.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from processes.definition import ANY_STEP
from webapp.errors import NotPermitted, articles_in

from .definitions import parsed
from .models import Case, CaseEvent, HumanTask


def four_eyes_refuse(*, task: HumanTask, case: Case, user: Any) -> None:
    """Refuse ``user`` completing ``task`` if the model bars whoever took a step it names."""
    info = parsed(case.definition).tasks.get(task.bpmn_id)
    steps = info.four_eyes if info is not None else ()
    if not steps:
        return
    mine = CaseEvent.objects.filter(case=case, actor_id=user.pk)
    if steps == (ANY_STEP,):
        mine = mine.filter(kind__in=("task_completed", "case_started"))
    else:
        mine = mine.filter(kind="task_completed", bpmn_id__in=steps)
    earlier = mine.order_by("seq").values_list("title", flat=True).first()
    if earlier is None:
        return
    raise NotPermitted(
        _(
            "You took the step “%(step)s” of this case, so “%(task)s” must be completed by "
            "someone else (four-eyes rule of the process model)."
        )
        % {"step": earlier, "task": task.name},
        article=articles_in(task.documentation),
    )

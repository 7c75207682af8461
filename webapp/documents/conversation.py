"""A case's thread: comments by those who act on it, each a line of its history.

Everyone who may see the case reads the thread (the case page, the task page, the
exports); whoever acts on it writes. ``@login`` (or ``@姓名`` when only one colleague who
sees the case has that name) mentions a colleague, who gets a notification; a name that
matches nobody who may see the case is refused, so nobody believes a colleague was told
when they were not.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.accounts.names import display_name
from webapp.accounts.selectors import visible_agency_ids
from webapp.accounts.services import notify_user
from webapp.cases.history import append_event
from webapp.cases.models import Case
from webapp.cases.steps import save_case
from webapp.errors import NotPermitted, StepRefused

from .models import Comment
from .selectors import may_contribute

MAX_COMMENT = 2000
MAX_MENTIONS = 10
MENTION = re.compile(r"(?<![\w@])@([\w.\-]{1,150})")


def mentioned_users(text: str, case: Case, author: Any) -> list[Any]:
    """The colleagues ``text`` mentions, each once; a name matching nobody who may see
    the case, or more than one person, is refused."""
    users: list[Any] = []
    for token in dict.fromkeys(MENTION.findall(text)):
        user = _colleague(token.rstrip(".-"), case)
        if user.pk != author.pk and user not in users:
            users.append(user)
    if len(users) > MAX_MENTIONS:
        raise StepRefused(
            _("Mention at most %(count)d colleagues in one comment.") % {"count": MAX_MENTIONS},
            field="body",
        )
    return users


def _colleague(token: str, case: Case) -> Any:
    people = get_user_model().objects.filter(is_active=True)
    found = list(people.filter(username=token)[:1])
    if not found:
        candidates = people.filter(last_name__in=_family_names(token))
        found = [u for u in candidates if display_name(u) == token][:2]
    found = [u for u in found if case.agency_id in visible_agency_ids(u)]
    if len(found) != 1:
        message = (
            _("@%(name)s names more than one colleague; mention their sign-in name instead.")
            if len(found) > 1
            else _("@%(name)s is nobody who may see this case; check the name.")
        )
        raise StepRefused(message % {"name": token}, field="body")
    return found[0]


def _family_names(token: str) -> list[str]:
    # Chinese names run family name first with no space (陈志远): try one- and two-
    # character family names, and the whole token for accounts with only a family name.
    return [token[:1], token[:2], token]


def comment_add(*, case_id: int, user: Any, body: str) -> Comment:
    """Write a comment on the case, record it in the history and notify whoever it
    mentions (in the same transaction: a refused comment notifies nobody)."""
    text = (body or "").strip()
    if not text:
        raise StepRefused(_("Write the comment first."), field="body")
    if len(text) > MAX_COMMENT:
        raise StepRefused(
            _("A comment has at most %(limit)d characters.") % {"limit": MAX_COMMENT},
            field="body",
        )
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
        if not may_contribute(user, case):
            raise NotPermitted(_("Only those who act on this case may comment on it (Art. 4)."))
        mentioned = mentioned_users(text, case, user)
        comment = Comment.objects.create(
            case=case,
            author=user,
            author_name=display_name(user),
            body=text,
            mentions=[u.pk for u in mentioned],
            created_at=timezone.now(),
            event_seq=case.event_count + 1,
        )
        _record(case, comment, user, mentioned)
        save_case(case)
        for colleague in mentioned:
            _tell(colleague, case, user, text)
    return comment


def _record(case: Case, comment: Comment, user: Any, mentioned: list[Any]) -> None:
    names = "、".join(display_name(u) for u in mentioned)
    title = _("Comment, mentioning %(names)s") % {"names": names} if mentioned else _("Comment")
    append_event(
        case,
        kind="comment_added",
        title=title,
        actor=user,
        comment=comment.body,
        data_after={
            "comment": {"id": comment.pk, "mentions": [u.get_username() for u in mentioned]}
        },
    )


def _tell(colleague: Any, case: Case, author: Any, text: str) -> None:
    notify_user(
        colleague,
        title=_("%(name)s mentioned you on %(key)s")
        % {"name": display_name(author), "key": case.business_key},
        body=text[:500],
        url=reverse("cases:detail", args=[case.pk]),
    )

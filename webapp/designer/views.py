"""The designer's pages and the JSON calls its editor makes. Thin: services do the work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from processes import xmlsafe
from processes.jsonsafe import JsonRefused, load_json
from processes.trial_run import TrialRun
from webapp.cases.models import Definition
from webapp.errors import StepRefused, body_refused

from . import moves, problem_texts, selectors, services
from .models import Draft
from .texts import js_texts

View = Callable[..., HttpResponse]


def designer_only(view: View) -> View:
    """Only the process designer role sees the designer (others get a 404)."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_designer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        raw = request.body
    except RequestDataTooBig:
        raise StepRefused(
            _("The model is too large to send (over %(limit)s bytes).")
            % {"limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"}
        ) from None
    try:
        # A NUL in a model file is refused by the service, naming the file.
        body = load_json(raw or b"{}", max_bytes=len(raw) + 1, allow_nul=True)
    except JsonRefused as exc:
        raise body_refused(exc) from None
    if not isinstance(body, dict):
        raise StepRefused(_("The request is not valid JSON."))
    return body


def _refused(exc: StepRefused, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": exc.message, **extra}, status=exc.status)


def _revision(body: dict[str, Any]) -> int:
    revision = body.get("revision")
    if not isinstance(revision, int):
        raise StepRefused(_("The save does not say which revision it started from."))
    return revision


def _editor_urls(draft: Draft) -> dict[str, str]:
    """Where the editor's script sends its calls (it holds no address of its own)."""
    return {
        name: reverse(f"designer:{name}", kwargs={"draft_id": draft.pk})
        for name in ("save", "check", "deploy", "test_run")
    }


def _run_body(result: TrialRun) -> dict[str, Any]:
    return {
        "path": result.path,
        "waiting": [asdict(task) for task in result.waiting],
        "timers": result.timers,
        "completed": result.completed,
        "data": result.data,
        "operator_calls": [asdict(call) for call in result.operator_calls],
        "error": problem_texts.text(result.error) if result.error else "",
        "error_en": result.error,
        "field_errors": result.field_errors,
    }


# ------------------------------------------------------------------------ pages


@designer_only
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": selectors.process_rows(),
        "events": selectors.recent_events(),
        "show_archived": request.GET.get("archived") == "1",
    }
    return render(request, "designer/index.html", context)


@designer_only
@require_POST
def draft_open(request: HttpRequest, process_id: str) -> HttpResponse:
    version = request.POST.get("version")
    try:
        draft = services.draft_open(
            process_id=process_id,
            user=request.user,
            version=int(version) if version and version.isdigit() else None,
        )
    except Definition.DoesNotExist:
        raise Http404 from None
    return redirect("designer:edit", draft_id=draft.pk)


@designer_only
@require_POST
def draft_import(request: HttpRequest) -> HttpResponse:
    limit = xmlsafe.MAX_MODEL_BYTES + 1
    uploads = {str(f.name): f.read(limit) for f in request.FILES.getlist("files")}
    if not uploads:
        messages.error(request, _("Choose one or more .bpmn, .dmn or .json files."))
        return redirect("designer:index")
    try:
        draft = services.draft_import(user=request.user, uploads=uploads)
    except StepRefused as exc:
        messages.error(request, exc.message)
        return redirect("designer:index")
    return redirect("designer:edit", draft_id=draft.pk)


@designer_only
@require_POST
def archive(request: HttpRequest, process_id: str) -> HttpResponse:
    try:
        n = services.process_archive(process_id=process_id, user=request.user)
    except StepRefused as exc:
        messages.error(request, exc.message)
        return redirect("designer:index")
    messages.success(
        request, _("%(p)s was archived: %(n)d version(s) retired.") % {"p": process_id, "n": n}
    )
    return redirect("designer:index")


@designer_only
@require_POST
def discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    try:
        process_id = services.draft_discard(draft_id=draft_id, user=request.user)
    except Draft.DoesNotExist:
        raise Http404 from None
    messages.success(
        request, _("Draft #%(n)d of %(p)s was discarded.") % {"n": draft_id, "p": process_id}
    )
    return redirect("designer:index")


@designer_only
def edit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=draft_id)
    config = {
        "draft": draft.pk,
        "process": draft.process_id,
        "revision": draft.revision,
        "files": draft.files,
        "problems": draft.problems,
        "sample": selectors.sample_data(draft.process_id),
        "urls": _editor_urls(draft),
        **selectors.panel_choices(),
    }
    return render(
        request, "designer/edit.html", {"draft": draft, "config": config, "i18n": js_texts()}
    )


@designer_only
def export(request: HttpRequest, draft_id: int, name: str) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=draft_id)
    if name not in draft.files:
        raise Http404
    response = HttpResponse(draft.files[name], content_type="application/xml; charset=utf-8")
    if name.endswith(".json"):
        response["Content-Type"] = "application/json; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="{name.rsplit("/", 1)[-1]}"'
    return response


@designer_only
def version_xml(request: HttpRequest, definition_id: int) -> HttpResponse:
    definition = get_object_or_404(Definition, pk=definition_id)
    return HttpResponse(selectors.main_xml(definition), content_type="application/xml")


@designer_only
def compare(request: HttpRequest, process_id: str) -> HttpResponse:
    pair = selectors.version_pair(process_id, request.GET.get("a", ""), request.GET.get("b", ""))
    if pair is None:
        raise Http404
    context = {
        "process_id": process_id,
        "versions": pair.versions,
        "a": pair.old,
        "b": pair.new,
        "form_changes": selectors.form_changes(pair.old, pair.new),
        "model_changes": selectors.model_changes(pair.old, pair.new),
        "i18n": js_texts(),
    }
    return render(request, "designer/compare.html", context)


@designer_only
def migrate(request: HttpRequest, definition_id: int) -> HttpResponse:
    target = get_object_or_404(Definition, pk=definition_id)
    if request.method == "POST":
        report = moves.cases_migrate(
            case_ids=request.POST.getlist("case"), target_id=target.pk, user=request.user
        )
        for refusal in report.refusals:
            messages.error(request, refusal)
        if report.moved:
            n = report.moved
            messages.success(request, _("%(n)d case(s) moved to this version.") % {"n": n})
        return redirect("designer:migrate", definition_id=target.pk)
    context = {"target": target, "rows": moves.movable_cases(target)}
    return render(request, "designer/migrate.html", context)


# ---------------------------------------------------------------- editor's calls


@designer_only
@require_POST
def save(request: HttpRequest, draft_id: int) -> JsonResponse:
    try:
        body = _body(request)
        draft = services.draft_save(
            draft_id=draft_id, revision=_revision(body), files=body.get("files"), user=request.user
        )
    except services.DraftConflict as exc:
        # The user's own files travel back so nothing they did is lost.
        return _refused(exc, files=_body(request).get("files"), revision=exc.draft.revision)
    except StepRefused as exc:
        return _refused(exc)
    except Draft.DoesNotExist:
        raise Http404 from None
    return JsonResponse({"revision": draft.revision, "problems": draft.problems})


@designer_only
@require_POST
def check(request: HttpRequest, draft_id: int) -> JsonResponse:
    try:
        problems = services.files_check(files=_body(request).get("files"))
    except StepRefused as exc:
        return _refused(exc)
    return JsonResponse({"problems": problems})


@designer_only
@require_POST
def deploy(request: HttpRequest, draft_id: int) -> JsonResponse:
    try:
        body = _body(request)
        definition = services.draft_deploy(
            draft_id=draft_id,
            revision=_revision(body),
            user=request.user,
            over_newer=body.get("over_newer") is True,
        )
    except services.NewerVersionDeployed as exc:
        return _refused(exc, newer=True)
    except StepRefused as exc:
        return _refused(exc)
    except Draft.DoesNotExist:
        raise Http404 from None
    compare_url = reverse("designer:compare", kwargs={"process_id": definition.process_id})
    return JsonResponse(
        {
            "version": definition.version,
            "process": definition.process_id,
            "compare_url": f"{compare_url}?b={definition.version}",
            "migrate_url": reverse("designer:migrate", kwargs={"definition_id": definition.pk}),
        }
    )


@designer_only
@require_POST
def test_run(request: HttpRequest, draft_id: int) -> JsonResponse:
    """Replay a test run of the posted files in memory: nothing is stored anywhere."""
    try:
        body = _body(request)
        result = services.draft_test_run(
            user=request.user,
            files=body.get("files"),
            start=body.get("data"),
            inputs=body.get("inputs"),
        )
    except StepRefused as exc:
        return _refused(exc)
    return JsonResponse(
        _run_body(result), json_dumps_params={"ensure_ascii": False, "default": str}
    )

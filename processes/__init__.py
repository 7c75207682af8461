"""Fuzhi's engine seam: SpiffWorkflow behind a small, typed, Django-free surface.

Imports flow one way: ``bpmn/`` (data) <- ``processes/`` <- ``webapp/``. Nothing in
this package may import Django or anything under ``webapp``.
"""

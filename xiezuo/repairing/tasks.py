"""Solving a scenario in the background (Celery; eager on the embedded default)."""
from xiezuo.celery import app


@app.task(name="repairing.solve_scenario")
def solve_scenario(scenario_id: int) -> str:
    from .models import Scenario, Status
    from .scenarios import run

    s = Scenario.objects.filter(pk=scenario_id).select_related("model").first()
    if s is None:
        return "missing"
    try:
        run(s)
    except Exception as exc:  # recorded on the scenario, never lost in a worker log only
        Scenario.objects.filter(pk=scenario_id).update(status=Status.FAILED, progress=100, progress_note=str(exc)[:200],
                                                       result={"status": "failed", "reason": str(exc)})
        raise
    return Scenario.objects.get(pk=scenario_id).status

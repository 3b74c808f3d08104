"""What-if variants as Ray tasks (SPEC section 10). Imported only by `whatif`, never on the
`solve` path: Ray is an optional extra (`pip install -e '.[cluster]'`).

Local by default: `ray.init(num_cpus=<this machine's cores>)`; `address` joins an existing
cluster (`ray start --head` on one machine, `ray start --address HEAD:6379` on the others; each
machine needs this package installed, the same version; with the token authentication of
recent Ray (2.60 here), every machine needs the same ~/.ray/auth_token and RAY_AUTH_MODE=token).
A task asks for `workers_per_task` CPUs and runs CP-SAT with that many workers, so Ray never puts
more searches on a machine than it has cores. Tasks are not retried: a variant whose worker dies
is reported failed, and the others go on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from scheduler.errors import InputError, Problem
from scheduler.variant import Job, Outcome, failed, run_variant


def run_on_ray(jobs: list[Job], *, address: str | None = None, workers_per_task: int = 1,
               on_done: Callable[[Outcome, int, int], None] | None = None) -> list[Outcome]:
    """Run the jobs as Ray tasks; outcomes in job order, `on_done` called as each finishes."""
    import ray

    started = False
    if not ray.is_initialized():
        if address:
            try:
                ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise InputError([Problem("--address", f"cannot join a Ray cluster at {address}: {exc}; start one "
                                                       f"with `ray start --head` (see the README)")]) from None
        else:
            ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING)
        started = True
    try:
        cpus = ray.cluster_resources().get("CPU", 1)
        if workers_per_task > cpus:
            raise ValueError(f"--workers-per-task {workers_per_task} is more than the cluster's {cpus:g} CPUs: "
                             f"no task could ever start")
        task = ray.remote(num_cpus=workers_per_task, max_retries=0)(run_variant)
        pending = {}
        for job in jobs:
            job.workers = workers_per_task
            pending[task.remote(job)] = job
        outcomes: dict[int, Outcome] = {}
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    job = pending.pop(ref)
                    outcome = _result(ray, ref, job)
                    outcomes[job.variant.index] = outcome
                    if on_done:
                        on_done(outcome, len(outcomes), len(jobs))
        except KeyboardInterrupt:
            for ref, job in pending.items():
                ray.cancel(ref, force=True)
                outcomes[job.variant.index] = failed(job.variant, "stopped by the user")
            raise
        return [outcomes[j.variant.index] for j in jobs]
    finally:
        if started:
            ray.shutdown()


def _result(ray, ref, job: Job) -> Outcome:
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = exc.cause if getattr(exc, "cause", None) is not None else exc
        lines = str(cause).strip().splitlines()
        return failed(job.variant, f"{type(cause).__name__}: {lines[-1] if lines else ''}")
    except ray.exceptions.WorkerCrashedError:
        return failed(job.variant, "its worker process died (killed, or out of memory)")
    except ray.exceptions.TaskCancelledError:
        return failed(job.variant, "cancelled")
    except ray.exceptions.RayError as exc:
        return failed(job.variant, f"{type(exc).__name__}: {exc}")

"""The run notebook's steps, written once for the tests that need what ``toyexp.run.run_all`` keeps
to itself (the run's context, the untrained network, the trained result)."""

import copy
from dataclasses import dataclass

import toyexp
from toyexp.run.steps import RunContext, close_log


@dataclass(frozen=True)
class Chain:
    ctx: RunContext
    initial: object  # the network before training
    trained: object  # TrainResult
    result: object  # RunResult
    record: object  # RunRecord, as metrics.json holds it


def notebook_chain(cfg) -> Chain:
    """config -> start_run, network, fit, evaluate_run, finish_run, as the notebooks take them."""
    ctx = toyexp.start_run(cfg)
    try:
        model = toyexp.build_network(cfg.network, ctx.data.dim).to(ctx.device)
        initial = copy.deepcopy(model)
        trained = toyexp.fit(ctx, model, progress=False)
        result = toyexp.evaluate_run(ctx, model, trained)
        record = toyexp.finish_run(ctx, trained, result)
    finally:
        close_log(ctx.log)
    return Chain(ctx, initial, trained, result, record)

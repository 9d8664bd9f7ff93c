"""The run notebook's steps, written once for the tests that need what ``toyexp.run.run`` keeps
to itself (the run's log, the untrained network, the trained result)."""

import copy
from dataclasses import dataclass

import toyexp


def close_log(run) -> None:
    """Detach and close the run's log handlers, so a test leaves no open file behind."""
    for handler in list(run.log.handlers):
        run.log.removeHandler(handler)
        handler.close()


@dataclass(frozen=True)
class Chain:
    run: object
    data: object
    initial: object  # the network before training
    trained: object
    metrics: dict


def notebook_chain(cfg) -> Chain:
    """config -> start_run, data, network, fit, evaluate_run, finish_run, as the notebooks take them."""
    run = toyexp.start_run(cfg)
    try:
        data = toyexp.make_dataset(cfg)
        model = toyexp.build_network(cfg.network, data.dim).to(run.device)
        initial = copy.deepcopy(model)
        trained = toyexp.fit(run, data, model, progress=False)
        results = toyexp.evaluate_run(run, data, model, trained)
        metrics = toyexp.finish_run(run, trained, results)
    finally:
        close_log(run)
    return Chain(run, data, initial, trained, metrics)

"""One notebook execution of a sweep: a Job that Dask and submitit can ship to their workers, and
the executed notebook's title and errors as the sweep reports them."""

import pickle

import nbformat
from papermill.exceptions import PapermillExecutionError

from toyexp.run.code_path import PORTABLE_ENV
from toyexp.study.execution.execute import Job, execute_notebook, retitle, syntax_error
from toyexp.study.execution.outcome import Outcome


def test_a_job_and_its_outcome_survive_pickling():
    """Guards the remote executors: Dask and submitit pickle each Job to a worker, the function by
    reference, and the Outcome back; every field arrives as it left."""
    job = Job(run_id="recon/flow/learning_rate=0.001/seed-1", notebook="/p/notebooks/recon.ipynb",
              output="/p/book/runs/recon/flow-seed1.ipynb",
              parameters={"seed": 1, "overrides": ["experiment.mode=flow",
                                                   'experiment.grid_point={"training.learning_rate": 0.001}']},
              title="recon: flow (learning_rate=0.001), seed 1", cell_timeout=30.0, env=dict(PORTABLE_ENV))
    assert pickle.loads(pickle.dumps(job)) == job
    assert pickle.loads(pickle.dumps(execute_notebook)) is execute_notebook
    outcome = Outcome(id=job.run_id, status="failed", notebook=job.output, seconds=2.5, error="ValueError: boom",
                      no_space="run")
    assert pickle.loads(pickle.dumps(outcome)) == outcome


def test_the_first_heading_takes_the_run_title():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_markdown_cell("# Reconstruction\nWe learn $f$."),
                                         nbformat.v4.new_markdown_cell("# Another heading")])
    retitle(nb, "recon: flow, seed 1")
    assert nb.cells[1].source == "# recon: flow, seed 1\n\n*Reconstruction*\nWe learn $f$."
    assert nb.cells[2].source == "# Another heading"


def test_a_study_page_takes_its_title_without_the_notebooks_own():
    """Guards issue 23's last point: the Regimes page carried the analysis notebook's own title
    (the default study's) under its own."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Across seeds\nEach run...")])
    retitle(nb, "Regimes: samples, bandwidth and noise", subtitle=False)
    assert nb.cells[0].source == "# Regimes: samples, bandwidth and noise\nEach run..."


def test_a_syntax_error_names_the_notebook_cell_and_line(tmp_path):
    source = "a = 1\nb = = 2"
    path = tmp_path / "edited.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("x"),
                                                   nbformat.v4.new_code_cell(source)]), path)
    err = PapermillExecutionError(3, 3, source, "SyntaxError", "invalid syntax (1234.py, line 2)", [])
    assert syntax_error(str(path), err) == f"SyntaxError in {path}, cell 3, line 2 (b = = 2): invalid syntax"
    elsewhere = PapermillExecutionError(1, 1, "y", "SyntaxError", "invalid syntax", [])
    assert syntax_error(str(path), elsewhere) == f"SyntaxError in {path}: invalid syntax"

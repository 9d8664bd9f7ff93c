"""The built book, offline: math from a local MathJax, every formula display or inline as written,
no parameter cells and no path of the build machine on a page, code that wraps.

Builds a small book (the report's config and pages, its TOC as a sweep writes it, and one hand-made
executed notebook) with Jupyter Book in a temporary folder: about 10 s.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

from toyexp.run.files import PROJECT_ROOT
from toyexp.study.book import front, run_pages
from book_build import build_book, copy_book

BOOK = PROJECT_ROOT / "book"
LONG_LINE = "x = " + " + ".join(f"value_{i}" for i in range(40))  # about 400 characters


class Scripts(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.sources: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("src"):
            self.sources.append(dict(attrs)["src"])


def page_notebook(secret: str) -> nbformat.NotebookNode:
    """An executed run page: parameters, papermill's injected cell holding a path of the machine,
    a list item with display math, a long code line and its output."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("seed = None", metadata={"tags": ["parameters"]}, execution_count=1)
    injected = nbformat.v4.new_code_cell(f'# Parameters\nsweep_file = "{secret}/params/sweep.yaml"\n',
                                         metadata={"tags": ["injected-parameters"]}, execution_count=2)
    long = nbformat.v4.new_code_cell(LONG_LINE, execution_count=3,
                                     outputs=[nbformat.v4.new_output("stream", name="stdout", text=LONG_LINE + "\n")])
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A run\n\n- a list item whose formula stands on its own:\n\n  ```{math}\n  x_t = (1 - t)\\,x_0 + t\\,x_1\n  ```"),
        params, injected, long,
    ]
    return nb


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    src = copy_book(tmp_path_factory.mktemp("book") / "src")
    nb = page_notebook(str(PROJECT_ROOT))
    run_pages.hide_parameters(nb)
    nbformat.write(nb, src / "run.ipynb")
    (src / run_pages.APPENDIX_FILE).parent.mkdir()
    (src / run_pages.APPENDIX_FILE).write_text(yaml.safe_dump([{"file": "run", "title": "A run"}]))
    front.write_front(src)  # as a sweep writes it: the run under the appendix, the task pages, placeholders for the studies, the abstract
    return build_book(src)


PAGES = ("intro.html", "methods.html", "tasks/lie.html", "run.html")


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_math_comes_from_a_local_mathjax(html, page):
    """No script from the network; the MathJax script is a file of the built book."""
    sources = Scripts((html / page).read_text()).sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    mathjax = [s for s in sources if "mathjax" in s.lower()]
    assert mathjax, sources
    for s in mathjax:
        assert ((html / page).parent / s.split("?")[0]).is_file(), s  # relative to the page


@pytest.mark.slow
def test_every_display_formula_of_methods_is_displayed(html):
    """Each $$ block and {math} directive of methods.md is a display block of the page, none is
    read as inline math (a $$ block inside a list paragraph is) and no $$ is left as text."""
    source = (BOOK / "methods.md").read_text()
    expected = len(re.findall(r"^\s*\$\$", source, re.M)) + source.count("{math}")
    page = (html / "methods.html").read_text()
    assert len(re.findall(r'<div class="math notranslate nohighlight"', page)) == expected
    inline = re.findall(r'<span class="math notranslate nohighlight">(.*?)</span>', page, re.S)
    assert inline and not [m for m in inline if m.startswith(r"\(\displaystyle") or "$$" in m]
    assert "$$" not in re.sub(r"<[^>]+>", "", page)


@pytest.mark.slow
def test_parameter_cells_and_machine_paths_stay_off_the_pages(html):
    """The injected cell held the project's absolute path: no built page or search index shows it,
    nor the temporary folder the book was built in."""
    built = [p for p in html.rglob("*") if p.suffix in (".html", ".js") and "_static" not in p.parts]
    assert len(built) >= 4
    for path in built:
        text = path.read_text()
        assert str(PROJECT_ROOT) not in text, path
        assert str(html.parents[1]) not in text, path
    run = (html / "run.html").read_text()
    assert "sweep_file" not in run and "seed = None" not in run
    assert "value_39" in run  # the rest of the page is there


@pytest.mark.slow
def test_code_wraps_instead_of_scrolling(html):
    run = (html / "run.html").read_text()
    css = [s for s in re.findall(r'<link[^>]+href="([^"]+\.css)[^"]*"', run) if "wrap" in s]
    assert css, "book/_static/wrap.css is not linked"
    rules = (html / css[0]).read_text()
    assert "white-space: pre-wrap" in rules and "div.highlight pre" in rules and "div.cell_output pre" in rules

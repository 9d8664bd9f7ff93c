"""The book's pages, as a sweep writes them.

``run_pages`` turns a sweep's executed notebooks into run pages (the parameters hidden, the
result first, one page per variant and task, the appendix's TOC), ``front`` writes the TOC
from ``_toc.base.yml``, the Tasks chapter and the abstract, ``report_paths`` shows the
machine's folders in a page as the sweep file names them (:class:`ShownPaths`), and
``own_book`` builds a sweep's book of its own (``--build-book``).

Names are imported when first used (``run_pages`` loads torch).
"""

from ..._lazy import lazy_exports

EXPORTS = {
    "write_pages": ".run_pages", "tidy_analysis": ".run_pages",
    "write_front": ".front",
    "ShownPaths": ".report_paths", "shown_as": ".report_paths",
    "build_own_book": ".own_book",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = list(EXPORTS)

"""Check the built documentation in a real browser: links, images, console errors, screenshots.

Usage::

    python -m sphinx -W -b html docs docs/_build/html     # the full build, gallery run
    python benchmarks/browser_check.py                      # checks docs/_build/html
    python benchmarks/browser_check.py --site other/html --out /tmp/shots

Two checks, and the script exits 1 if either finds a problem:

1. **Links.** Every ``href`` and ``src`` of every HTML page of the site that
   points inside the site must name a file that exists, and a ``#fragment``
   an ``id`` (or ``name``) on the page it points to. Links to other sites
   are not followed (the check runs offline).
2. **Browser.** The site is served on a local port and opened in headless
   Chromium (Debian's ``chromium`` package), driven over the DevTools
   protocol (``devtools.py``): the front page, the gallery, one gallery
   example (its top, and again scrolled to its first figure) and a search. On each page, a console error, an uncaught
   exception, a request that failed or answered 400 or more, or an image
   that did not load is a problem. Each page is saved as a screenshot
   (``docs-<name>.png`` in ``--out``, ``benchmarks/results`` by default); the
   search page must list results.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from devtools import Browser, Page

HERE = Path(__file__).resolve().parent
SITE = HERE.parent / "docs" / "_build" / "html"
RESULTS = HERE / "results"

#: Pages opened in the browser: screenshot name -> (path and query on the site, a CSS selector
#: of the element to scroll into view before the screenshot, or None for the top of the page).
PAGES = {
    "front": ("index.html", None),
    "gallery": ("gallery/index.html", None),
    "example": ("gallery/search_plots.html", None),
    "example-figure": ("gallery/search_plots.html", "img.sphx-glr-single-img"),
    "search": ("search.html?q=leaderboard", None),
}


# ---------------------------------------------------------------- the link check
class _Refs(HTMLParser):
    """The ``href``/``src`` values and the anchor names (``id``, ``name``) of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src"):
                self.refs.append(value)
            elif name == "id" or (tag == "a" and name == "name"):
                self.anchors.add(value)


@functools.cache
def _parse(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def pages(site: Path) -> list[Path]:
    """The site's HTML pages; ``_static`` holds the theme's template files, not pages."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def check_links(site: Path) -> tuple[int, list[str]]:
    """Check every internal reference of every page; return (references checked, problems)."""
    checked, problems = 0, []
    for page in pages(site):
        for ref in _parse(page).refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or ref.startswith(("mailto:", "javascript:", "data:")):
                continue  # another site, or not a link
            checked += 1
            where = f"{page.relative_to(site)}: {ref}"
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(site.resolve()) and not target.is_relative_to(site):
                problems.append(f"{where} (outside the site)")
            elif not target.is_file():
                problems.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _parse(target).anchors:
                problems.append(f"{where} (no #{parts.fragment} on {target.name})")
    return checked, problems


# ------------------------------------------------------------- the browser check
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``site`` on a free local port in a daemon thread; return the server and its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


_BROKEN_IMAGES = "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
_SEARCH_HITS = """new Promise(resolve => {
  const end = Date.now() + 15000;
  (function poll() {
    const n = document.querySelectorAll('#search-results li').length;
    if (n > 0 || Date.now() > end) resolve(n); else setTimeout(poll, 200);
  })();
})"""


def _page_problems(page: Page) -> list[str]:
    """Console errors, exceptions and failed requests among the events received so far."""
    problems = []
    for event in page.events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            problems.append(f"console error: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            problems.append(f"uncaught exception: {details.get('exception', {}).get('description') or details.get('text')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            problems.append(f"browser log error: {entry.get('text')} {entry.get('url', '')}".rstrip())
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(f"request failed: {params.get('errorText')} (request {params.get('requestId')})")
        elif method == "Network.responseReceived" and params.get("response", {}).get("status", 200) >= 400:
            response = params["response"]
            problems.append(f"HTTP {response['status']}: {response['url']}")
    return problems


def visit(page: Page, url: str, shot: Path, scroll_to: str | None = None) -> list[str]:
    """Open ``url``, wait for it to load and settle, screenshot it; return its problems."""
    page.events.clear()
    page.call("Page.navigate", url=url)
    page.wait_for("Page.loadEventFired", timeout=30)
    time.sleep(1.0)  # scripts that run after load (search, theme) and late requests
    problems = []
    broken = page.evaluate(_BROKEN_IMAGES)
    problems += [f"image did not load: {src}" for src in broken]
    if "search.html" in url:
        hits = page.evaluate(_SEARCH_HITS)
        if not hits:
            problems.append("the search listed no result")
        else:
            print(f"    search: {hits} results")
    if scroll_to:
        found = page.evaluate(f"(e => e ? (e.scrollIntoView({{block: 'start'}}), true) : false)"
                              f"(document.querySelector({scroll_to!r}))")
        if not found:
            problems.append(f"nothing matches {scroll_to!r}")
        time.sleep(0.3)
    page.screenshot(shot)
    page.call("Runtime.evaluate", expression="0")  # collect the events that arrived meanwhile
    return problems + _page_problems(page)


def check_in_browser(site: Path, out: Path, executable: str | None) -> list[str]:
    """Open each page of :data:`PAGES` in headless Chromium; return the problems found."""
    server, base = serve(site)
    problems = []
    try:
        with Browser(executable) as browser:
            page = browser.new_page()
            for domain in ("Page", "Runtime", "Log", "Network"):
                page.call(f"{domain}.enable")
            for name, (path, scroll_to) in PAGES.items():
                shot = out / f"docs-{name}.png"
                found = visit(page, base + path, shot, scroll_to)
                title = page.evaluate("document.title")
                print(f"  {path}: {title!r}, {len(found)} problems, screenshot {shot}")
                problems += [f"{path}: {p}" for p in found]
            page.close()
    finally:
        server.shutdown()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=SITE, help="the built HTML (default: docs/_build/html)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the screenshots go")
    parser.add_argument("--chromium", default=None, help="the browser executable (default: chromium on PATH)")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    if not (site / "index.html").is_file():
        parser.error(f"no index.html in {site}: build the documentation first")
    args.out.mkdir(parents=True, exist_ok=True)

    checked, link_problems = check_links(site)
    n_pages = len(pages(site))
    print(f"links: {checked} internal references on {n_pages} pages checked, {len(link_problems)} broken")
    for problem in link_problems[:50]:
        print(f"  {problem}")

    print("browser:")
    browser_problems = check_in_browser(site, args.out, args.chromium)
    for problem in browser_problems:
        print(f"  {problem}")
    ok = not link_problems and not browser_problems
    print("OK" if ok else f"FAILED: {len(link_problems)} broken links, {len(browser_problems)} problems in the browser")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

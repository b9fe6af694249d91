"""Render HTML to plain text with all visible text kept: one line per block.

This is how a page looks when a user flattened it to text themselves (menus,
footers and all), and what the text-mode cleaner is measured on. It uses the
standard library's forgiving ``html.parser``: malformed or deeply nested
markup gives text, never an exception or a recursion limit.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset("""address article aside blockquote body br caption dd details dialog div dl dt fieldset
figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary table
tbody td tfoot th thead tr ul option legend""".split())
_HIDDEN = frozenset("script style noscript template head svg iframe object canvas select".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_SPACE = re.compile(r"\s+")


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN and tag not in _VOID:
            self._hidden.append(tag)
        elif tag in _BLOCK:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            if tag in self._hidden:  # close it and anything left open inside it
                del self._hidden[len(self._hidden) - 1 - self._hidden[::-1].index(tag):]
        elif tag in _BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._line.append(data)

    def _break(self) -> None:
        text = _SPACE.sub(" ", "".join(self._line)).strip()
        if text:
            self.lines.append(text)
        self._line = []

    def close(self) -> None:
        super().close()
        self._break()


def html_to_text(html: str) -> str:
    """All visible text of an HTML page, one line per block element.

    Example:
        >>> html_to_text("<html><head><title>T</title><script>x()</script></head>"
        ...              "<body><h1>Head</h1><p>One <b>two</b><br>three</p><div>four</div></body></html>")
        'Head\\nOne two\\nthree\\nfour'
    """
    renderer = _Renderer()
    renderer.feed(html)
    renderer.close()
    return "\n".join(renderer.lines)

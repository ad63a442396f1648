"""Normaliser v2 (lexbor, HTML5 tree construction): the rules of docs/normalisation.md, one by one."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.errors import DocumentError
from corpus.limits import MAX_TAG_ATTRIBUTES
from corpus.text.normalise import NORMALIZER, normalise_html
from corpus.text.normalise_v2 import (
    NORMALIZER_V2,
    drop_foreign_self_closed,
    nesting_estimate,
    normalise_html_v2,
    normalise_raw_v2,
)


def lines(html: str) -> list[str]:
    text, blocks = normalise_html_v2(html)
    assert text == "\n".join(text[b.start : b.end] for b in blocks)
    return [text[b.start : b.end] for b in blocks]


def test_versions_side_by_side() -> None:
    assert NORMALIZER.version == "1.0.0" and NORMALIZER_V2.version == "2.3.0"
    assert NORMALIZER.name == NORMALIZER_V2.name


# An application shell (forum software serves its posts this way to clients without scripts).
SHELL = ("<html><head><title>Thread</title><noscript><style>.x{}</style></noscript></head><body>"
         "<div id='app'></div><noscript><div class='post'><p>First post</p><div>Reply <b>one</b></div></div>"
         "</noscript><script>boot()</script></body></html>")


def test_a_page_without_text_is_read_as_with_scripting_off() -> None:
    assert lines(SHELL) == ["First post", "Reply one"]


def test_noscript_stays_dropped_on_a_page_with_text() -> None:
    assert lines("<p>Visible</p><noscript><p>Enable scripts</p></noscript>") == ["Visible"]
    # the unclosed element inside is harmless: the fallback never runs on a page that has text
    assert lines("<p>Visible</p><noscript><div id='nojs'></noscript><p>After</p>") == ["Visible", "After"]
    assert lines("<div id='app'></div><noscript></noscript>") == []


def test_a_page_whose_text_is_all_hidden_shows_it_as_its_scripts_would() -> None:
    # streamed server rendering: the segment waits in <div hidden> until a script moves it into place
    streamed = ("<div id='app'><template id='B:0'></template></div><div hidden id='S:0'><h1>Title</h1>"
                "<p>Server <b>rendered</b></p></div><script>$RC('B:0','S:0')</script>")
    assert lines(streamed) == ["Title", "Server rendered"]
    # a wrapper hidden until hydration, beside a noscript without text (a tracking pixel)
    wrapper = ("<div style='visibility:hidden;min-height:100vh'><p>Lead</p><dialog>Sign in</dialog></div>"
               "<noscript><iframe src='https://example.org/ns'></iframe></noscript>")
    assert lines(wrapper) == ["Lead", "Sign in"]
    # noscript text comes first (as a browser with scripting off shows the page; 2.1.0's reading)
    assert lines(wrapper.replace("<iframe src='https://example.org/ns'></iframe>", "Enable scripts")) == [
        "Enable scripts"]
    assert lines("<p>shown</p><div hidden><p>not shown</p></div>") == ["shown"]  # hidden text not ten times more
    assert lines("<div hidden></div><p style='display:none'></p>") == []


def test_a_page_hiding_nearly_all_of_its_text_shows_it_as_its_scripts_would() -> None:
    from corpus.text.normalise_v2 import HIDDEN_WRAPPER_SHARE

    # a product block kept display:none until the page's scripts load, below a visible header
    body = "Heavyweight cotton, regular fit, ribbed neck and a tubular body. " * 3
    deferred = f"<header><a href=/>Shop</a></header><div style='display: none'><h1>Staple tee</h1><p>{body}</p></div>"
    assert lines(deferred) == ["Shop", "Staple tee", body.strip()]
    # at or above the share, what shows is the page: the hidden part (a closed menu, a dialog) stays hidden
    shown = "x" * 10
    hidden = "y" * int(len(shown) * (1 - HIDDEN_WRAPPER_SHARE) / HIDDEN_WRAPPER_SHARE)  # shown == share exactly
    assert lines(f"<p>{shown}</p><div hidden><p>{hidden}</p></div>") == [shown]
    assert lines(f"<p>{shown}</p><div hidden><p>{hidden}y</p></div>") == [shown, hidden + "y"]
    # an inner hidden element inside a hidden one counts once
    nested = f"<p>{shown}</p><div hidden><p>{hidden[:45]}</p><div hidden><p>{hidden[45:]}</p></div></div>"
    assert lines(nested) == [shown]


def test_the_labeller_features_read_the_same_fallback_text() -> None:
    from corpus.annotate.preannotate.learned.features import page_features

    text, blocks = normalise_html_v2(SHELL)
    pf = page_features(SHELL)
    assert (pf.text, pf.blocks) == (text, blocks) and pf.X.shape[0] == 2


def test_implicit_end_tags() -> None:
    assert lines("<p>alpha<p>beta<div>gamma</div>delta") == ["alpha", "beta", "gamma", "delta"]
    assert lines("<ul><li>one<li>two</ul>after") == ["one", "two", "after"]


def test_misnested_formatting_and_adoption_agency() -> None:
    assert lines("<p><b>bold <i>both</b> italic</i> plain</p>") == ["bold both italic plain"]
    # the HTML standard reparents: <a>one</a><p><a>two</a>three</p>
    text, blocks = normalise_html_v2("<a href=x>one<p>two</a>three</p>")
    assert text == "one\ntwothree" and blocks[1].xpath == "/html/body/p"


def test_template_contents_are_not_in_the_tree() -> None:
    assert lines("<p>before</p><template><p>never</p></template><p>after</p>") == ["before", "after"]


def test_unknown_elements_are_inline() -> None:
    assert lines("<x-card><x-title>Custom</x-title> element <foo>text</foo></x-card>") == ["Custom element text"]


def test_table_foster_parenting_moves_text_before_the_table() -> None:
    text, blocks = normalise_html_v2("<table>fostered<tr><td>one<td>two</tr></table>after")
    assert text == "fostered\none\ntwo\nafter"
    assert [b.xpath for b in blocks] == ["/html/body", "/html/body/table/tbody/tr/td[1]",
                                         "/html/body/table/tbody/tr/td[2]", "/html/body"]


def test_br_and_pre_keep_line_breaks() -> None:
    assert lines("line one<br>line two<br><br>line three") == ["line one", "line two", "line three"]
    assert lines("<pre>\n  indented  code\n\n    more   code\n</pre><p>after</p>") == [
        "indented code", "more code", "after"]


def test_entities_whitespace_and_nfc() -> None:
    text, _ = normalise_html_v2("<p>&amp; &lt;x&gt; &nbsp;&eacute;&#233;&#xE9; caf&eacute e\u0301\t\n&euro;</p>")
    assert text == "& <x> ééé café é €" and unicodedata.is_normalized("NFC", text)


def test_invisible_content_is_dropped() -> None:
    html = ("<head><title>T</title><style>p{}</style></head><p hidden>h</p><p style='display: none'>n</p>"
            "<p style='visibility:hidden'>v</p><script>x='<p>s</p>'</script><noscript>ns</noscript>"
            "<!-- c --><dialog>closed</dialog><dialog open>open</dialog><textarea>draft</textarea>"
            "<svg><text>s</text></svg><canvas>fallback</canvas><img alt='alt text'><p>shown</p>")
    assert lines(html) == ["open", "shown"]


def test_v1_and_v2_differ_where_libxml2_is_not_html5() -> None:
    html = "<table><tr><td>1<td>2</tr>after row</table>"
    assert normalise_html_v2(html)[0] == "after row\n1\n2"  # foster-parented before the table
    assert normalise_html(html)[0] == "1\n2\nafter row"


def test_select_options_and_closed_details_are_text() -> None:
    assert lines("<select><option>first<option>second</select>") == ["first", "second"]
    assert lines("<details><summary>More</summary>hidden until opened</details>") == [
        "More", "hidden until opened"]


def test_blocks_carry_the_tag_and_xpath_of_their_block_element() -> None:
    _, blocks = normalise_html_v2("<div><p>a</p><p>b <span>c</span></p></div><div>d</div>")
    assert [(b.tag, b.xpath) for b in blocks] == [
        ("p", "/html/body/div[1]/p[1]"), ("p", "/html/body/div[1]/p[2]"), ("div", "/html/body/div[2]")]


def test_empty_and_whitespace_pages() -> None:
    assert normalise_html_v2("") == ("", ())
    assert normalise_html_v2("<html><body> \n </body></html>") == ("", ())


def test_limits_are_named_rejects() -> None:
    assert normalise_html_v2("<div>" * 3000 + "x")[0] == "x"  # deeper than v1's libxml2 allows: fine here
    with pytest.raises(DocumentError) as exc:
        normalise_html_v2("<div>" * 100_000 + "x")  # rejected before parsing: tree construction is quadratic
    assert exc.value.reason == "dom_too_deep"
    with pytest.raises(DocumentError) as exc:
        normalise_html_v2("<p " + " ".join(f"a{i}=x" for i in range(MAX_TAG_ATTRIBUTES * 4)) + ">ok</p>")
    assert exc.value.reason == "too_many_attributes"
    assert normalise_html_v2("<p>a" * 5000)[0].count("a") == 5000  # implicit closes do not count as nesting


def test_self_closed_svg_elements_do_not_count_as_nesting() -> None:
    sprite = "<svg viewBox='0 0 9 9'>" + "<path d='M0 0h1'/><circle r=1 />" * 3000 + "</svg>"
    assert lines("<p>before</p>" + sprite * 2 + "<p>after</p>") == ["before", "after"]
    # the same elements outside SVG open elements that stay open, and HTML breakout tags leave SVG
    for deep in ("<path/>" * 5000 + "x", "<svg>" + "<div/>" * 5000 + "</svg>x", "<!--<svg>-->" + "<div>" * 5000):
        with pytest.raises(DocumentError) as exc:
            normalise_html_v2(deep)
        assert exc.value.reason == "dom_too_deep"


def test_drop_foreign_self_closed() -> None:
    html = "<svg><path d=1/><g><circle/></g><b/></svg><path/><svg/><x/><math><mi/></math><my-icon/>"
    assert drop_foreign_self_closed(html) == "<svg><g></g><b/></svg><path/><svg/><x/><math></math><my-icon/>"


def test_nesting_estimate() -> None:
    assert nesting_estimate("<div><div></div><span>x</span></div>") == 2
    assert nesting_estimate("<p>a<p>b<li>c<br><img>") == 0
    assert nesting_estimate("</div>" * 5 + "<b>" * 3) == 3


def test_raw_page_decodes_then_normalises() -> None:
    page = normalise_raw_v2(b"<meta charset=iso-8859-9><p>\x93Merhaba\x94</p>", "html")
    assert page.text == "“Merhaba”" and page.encoding == "windows-1254" and page.normalizer == NORMALIZER_V2
    assert normalise_raw_v2(b"one\n\ntwo", "text").text == "one\ntwo"


_HTML = st.lists(st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<table>", "<td>", "<tr>",
                                  "<br>", "<pre>", "</pre>", "<li>", "<template>", "</template>", "&amp;",
                                  "<!--", "-->", " ", "\n", "x", "é", "e\u0301", "<script>", "</script>",
                                  "<select>", "<option>", "<x-y>"]), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(_HTML)
def test_output_is_deterministic_and_well_formed(html: str) -> None:
    text, blocks = normalise_html_v2(html)
    assert (text, blocks) == normalise_html_v2(html)
    pos = 0
    for i, b in enumerate(blocks):
        assert b.start == pos + (1 if i else 0) and b.end > b.start
        chunk = text[b.start : b.end]
        assert chunk == chunk.strip() and "\n" not in chunk and "  " not in chunk
        pos = b.end
    assert pos == len(text) and unicodedata.is_normalized("NFC", text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(s: str) -> None:
    try:
        normalise_html_v2(s)
    except DocumentError as exc:
        assert exc.reason in ("dom_too_deep", "too_many_attributes", "too_many_blocks")


def test_unclosed_markup_inside_noscript_does_not_swallow_the_page() -> None:
    # parsed as markup, the open <div> makes the parser ignore </noscript> (HTML standard, "any other end
    # tag"); a browser with scripting on reads the noscript as raw text and shows the rest of the page
    page = '<body><noscript><div id="nojs"></noscript><div><p>Article text.</p></div><noscript></div></noscript>'
    assert normalise_html_v2(page)[0] == "Article text."

"""An entry card in a list shows the start of the notes, cut before links and
line breaks are made (issue 15: a long entry costs no more than a short one)."""

from django.template import Context, Template
from django.template.defaultfilters import urlize
from hypothesis import given, settings
from hypothesis import strategies as st

from footsteps.journal.templatetags.journal import excerpt, links


def test_excerpt_keeps_line_breaks_and_marks_what_was_cut():
    assert excerpt("Built a tower\n\nthen knocked it down", 4) == "Built a tower\n\nthen …"
    assert excerpt("Built a tower", 3) == "Built a tower"
    assert excerpt("Built a tower  \n", 3) == "Built a tower  \n"
    assert excerpt("", 3) == ""


def test_a_card_links_and_escapes_only_the_words_it_shows():
    notes = "See https://example.org/songs <b>loud</b>\nthen " + "word " * 100
    html = Template("{% load journal %}{{ notes|excerpt:60|links|linebreaksbr }}").render(
        Context({"notes": notes})
    )
    assert '<a href="https://example.org/songs"' in html
    assert "&lt;b&gt;loud&lt;/b&gt;<br>then" in html
    assert html.count("word") == 60 - 4
    assert html.endswith("…")


@given(
    st.lists(
        st.sampled_from(
            [
                "word",
                "end.",
                "www.example.org",
                "a@b.org",
                "https://x.org/a?b=1",
                "ex.com",
                "<b>",
                "&amp;",
                "\n",
                " ",
                "(",
                ")",
                ":",
                "@",
                "'",
                '"',
                ".",
                "12:30",
                "x.co.uk",
            ]
        )
        | st.text(max_size=8),
        max_size=12,
    ).map("".join)
)
@settings(max_examples=300, deadline=None)
def test_links_is_urlize_only_cheaper(text):
    assert links(text) == urlize(text, autoescape=True)

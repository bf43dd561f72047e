"""The built-in page (used when the site's editor is not installed) escapes everything it shows."""

from __future__ import annotations

from oas_ssm.server.sparql.html import plain_page

EVIL = "<script>alert('x')</script>"


def test_query_and_error_are_escaped():
    page = plain_page(f"SELECT {EVIL}", None, f"SPARQL syntax error near {EVIL}")
    assert EVIL not in page and page.count("&lt;script&gt;") == 2
    assert '<textarea name="query"' in page and "<form" in page


def test_results_are_escaped_and_linked():
    results = {
        "head": {"vars": ["v", "u"]},
        "results": {
            "bindings": [
                {
                    "v": {"type": "literal", "value": EVIL, "xml:lang": 'en"><b>'},
                    "u": {"type": "uri", "value": 'http://x/"onclick="alert(1)'},
                }
            ]
        },
    }
    page = plain_page("SELECT * {}", results, None)
    assert EVIL not in page and "<b>" not in page
    assert 'onclick="alert' not in page and "http://x/&quot;onclick=&quot;alert(1)" in page
    assert "<table>" in page and "1 result" in page


def test_ask_answer():
    assert "yes" in plain_page("ASK {}", {"head": {}, "boolean": True}, None)

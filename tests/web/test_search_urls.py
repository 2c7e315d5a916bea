"""A results page's links encode the search's parameters exactly as urlencode would."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from web.presenters.search import _encode


def test_parameters_are_encoded_as_urlencode_encodes_them():
    cases = [("q", ["grievance & arbitration", "naïve/école?#%+=", "<script>alert(1)</script>"]),
             ("type", []), ("year", ["2019"]), ("a key", ["x y"])]
    for param, values in cases:
        encoded = _encode(param, values)
        assert encoded == urlencode([(param, v) for v in values])
        assert parse_qsl(encoded) == [(param, v) for v in values]

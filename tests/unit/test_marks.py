"""draas's marks on what it makes in a cloud, read back."""

from __future__ import annotations

import pytest

from services.compute import marks


def test_a_mark_names_its_source():
    assert marks.source_of(marks.description("op-1", "net-9")) == "net-9"


@pytest.mark.parametrize("description", ["", None, "the tenant's own", "made src=net-9 by hand"])
def test_a_description_that_is_not_a_mark_names_no_source(description):
    assert marks.source_of(description) == ""

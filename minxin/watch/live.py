"""The watch's live topics: one per region, which its command desks and wall boards follow."""

from __future__ import annotations

from minxin.orgs.models import Region


def region_topic(region: Region) -> str:
    """The topic of a region's posts and fires (`watch:<region code>`)."""
    return f"watch:{region.code}"

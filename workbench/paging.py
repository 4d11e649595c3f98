"""Paginated tables: only one page of rows is ever sent to the browser."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

PAGE_SIZE = 25


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages ``total`` rows fill (at least one, so an empty table has page 1)."""
    return max(1, math.ceil(total / size))


def page_of(frame: pd.DataFrame, page: int, size: int = PAGE_SIZE) -> pd.DataFrame:
    """Rows of page ``page`` (1-based, clamped to the pages there are), positions as the index."""
    page = min(max(int(page), 1), page_count(len(frame), size))
    start = (page - 1) * size
    return frame.iloc[start:start + size]


def pager(total: int, key: str, size: int = PAGE_SIZE, label: str = "rows") -> int:
    """A page-number input under a table of ``total`` rows; returns the page to show (1-based)."""
    pages = page_count(total, size)
    if int(st.session_state.get(key) or 1) > pages:  # the table shrank below the page shown
        st.session_state[key] = pages
    left, right = st.columns([1, 4], vertical_alignment="center")
    page = left.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key=key,
                             label_visibility="collapsed")
    first = (int(page) - 1) * size + 1 if total else 0
    last = min(int(page) * size, total)
    right.caption(f"Page {int(page)} of {pages} · {first:,}–{last:,} of {total:,} {label}")
    return int(page)


def reset(key: str) -> None:
    """Go back to the first page (when a filter changes); call before the pager is drawn."""
    st.session_state[key] = 1


def follow(key: str, filters: tuple) -> bool:
    """Back to page 1 when ``filters`` differ from those of the last run; True when they changed."""
    seen = f"hp.paging.{key}"
    changed = st.session_state.get(seen) != filters
    if changed:
        st.session_state[seen] = filters
        reset(key)
    return changed

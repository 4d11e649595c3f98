"""Enrichment: values providers propose for empty fields, with their evidence; approve or reject."""

from __future__ import annotations

import streamlit as st

from hotpass import ProposalStore
from workbench import auth, enrich_ui, services, state, widgets

user = auth.require("review")
st.title("Enrichment")
st.caption("Providers propose values for empty fields. Nothing pending changes any data: approved "
           "values are applied on the next run, and a rejected value is never proposed again.")

with services.workspace() as ws:
    store = ProposalStore(ws)
    everything = store.frame()
    known = enrich_ui.names(ws)

profile = state.profile()
if "organisation" not in profile.entities:
    st.info(f"The profile **{profile.name}** has no organisations: enrichment proposes values for "
            "organisations only, so its runs propose nothing.")
elif not profile.enrichment.providers:
    st.info(f"No enrichment providers are enabled in the profile **{profile.name}** "
            "(`enrichment.providers`), so runs with it propose nothing.")
if everything.empty:
    st.info("There are no enrichment proposals yet: they appear after a run with enrichment "
            "providers enabled.")
    widgets.link("run", "Run the refinement", ":material/play_circle:")
    st.stop()

enrich_ui.notice()
counts = enrich_ui.counts(everything)
cols = st.columns(3)
for col, (status, amount) in zip(cols, counts.items(), strict=True):
    col.metric(status.capitalize(), f"{amount:,}")

chosen = enrich_ui.filters(everything)
with services.workspace() as ws:
    matching = enrich_ui.ordered(ProposalStore(ws).frame(**chosen))
if matching.empty:
    st.info("No proposal matches these filters.")
    selected = []
else:
    selected = enrich_ui.proposals_table(matching, known)
    enrich_ui.details(matching, selected, known)
enrich_ui.actions(selected, user.username)
st.divider()
enrich_ui.bulk(chosen, matching, user.username)
widgets.link("run", "Run again to apply approved values", ":material/play_circle:")

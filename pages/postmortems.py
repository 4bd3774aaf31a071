"""Placeholder until the page lands."""
import streamlit as st

st.title("postmortems")
st.caption("This page is being built.")

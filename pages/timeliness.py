"""Placeholder until the page lands."""
import streamlit as st

st.title("timeliness")
st.caption("This page is being built.")

"""Placeholder until the page lands."""
import streamlit as st

st.title("escalations")
st.caption("This page is being built.")

"""Placeholder until the page lands."""
import streamlit as st

st.title("causes")
st.caption("This page is being built.")

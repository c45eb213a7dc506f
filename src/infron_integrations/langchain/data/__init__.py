"""Data files of the LangChain adapter (generated; see scripts/generate_profiles.py)."""

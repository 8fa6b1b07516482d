"""Test settings shared by all tests."""
import os

from hypothesis import settings

# CI runs the property tests with a fixed seed, so a run is reproducible; locally every run explores anew
# (and hypothesis replays the failures it found before from its database).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

"""Test helpers shared across test directories (tests/*util.py) are importable from every test."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import sys
from pathlib import Path

# The local endpoint's modules import each other by plain name (serve.py puts its folder on sys.path the same way).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

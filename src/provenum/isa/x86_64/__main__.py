"""`python -m provenum.isa.x86_64`: regenerate the table of validated encodings from forms.py."""
from .encodings import main

main()

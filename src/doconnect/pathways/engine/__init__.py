"""Dead ends, gaps and next steps of the offer landscape. Pure (NumPy, SciPy), no Django;
see README.md. A package, not a namespace, so the import contracts see its modules."""

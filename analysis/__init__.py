"""Analysis of carelines results: figures, tables and reports."""

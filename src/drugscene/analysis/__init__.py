"""Pure numpy statistics for drugscene (hot spots, trends, displacement, forecasts).

Never imports Django: an analyst can use it in a notebook on a CSV. The methods arrive with
the analytics work; the package exists now so the import contract guards it from day one.
"""

"""People and their health: the region and its residents, ageing, births and deaths, the
determinants of health (income, debt, work, networks and community activities), physical, mental
and social health with their needs, and how residents seek help."""

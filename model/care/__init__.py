"""The care lines and their providers: the services of the nulde, eerste and tweede lijn,
providers with their places, waiting lists and episodes, and the pathways through each line
(the social basis and schuldhulp, the GP, POH and wijkteam, specialist and hospital care,
long-term support)."""

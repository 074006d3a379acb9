contenttypes-published = Gepubliceerd op
contenttypes-when = Wanneer
contenttypes-download = Downloaden
contenttypes-link-goes-to = Deze link leidt naar

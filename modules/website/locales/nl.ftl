website-published = Gepubliceerd op
website-when = Wanneer
website-download = Downloaden
website-link-goes-to = Deze link leidt naar

contenttypes-published = Veröffentlicht am
contenttypes-when = Wann
contenttypes-download = Herunterladen
contenttypes-link-goes-to = Dieser Link führt zu

website-published = Veröffentlicht am
website-when = Wann
website-download = Herunterladen
website-link-goes-to = Dieser Link führt zu

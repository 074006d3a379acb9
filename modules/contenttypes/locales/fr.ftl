contenttypes-published = Publié le
contenttypes-when = Quand
contenttypes-download = Télécharger
contenttypes-link-goes-to = Ce lien mène à

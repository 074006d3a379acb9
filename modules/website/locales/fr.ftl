website-published = Publié le
website-when = Quand
website-download = Télécharger
website-link-goes-to = Ce lien mène à

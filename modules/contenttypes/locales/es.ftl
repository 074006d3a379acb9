contenttypes-published = Publicado el
contenttypes-when = Cuándo
contenttypes-download = Descargar
contenttypes-link-goes-to = Este enlace lleva a

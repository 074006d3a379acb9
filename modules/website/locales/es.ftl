website-published = Publicado el
website-when = Cuándo
website-download = Descargar
website-link-goes-to = Este enlace lleva a

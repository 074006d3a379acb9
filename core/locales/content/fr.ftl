# Core messages: content (fr)
content-locked-title = En cours de modification
content-locked-message = Quelqu’un modifie cet élément : il est verrouillé jusqu’à ce que cette personne ait fini ou que le verrou expire.
content-stale-title = Modifié entre-temps
content-stale-message = Cet élément a changé depuis que vous l’avez chargé. Rechargez-le et refaites votre modification.
content-reverted = { $title } a été rétabli à la révision { $version }.

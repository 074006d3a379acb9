# Core messages: content (es)
content-locked-title = En edición
content-locked-message = Alguien está editando este elemento: está bloqueado hasta que termine o el bloqueo caduque.
content-stale-title = Modificado mientras tanto
content-stale-message = Este elemento ha cambiado desde que lo cargó. Vuelva a cargarlo y repita su cambio.
content-reverted = { $title } se ha restablecido a la revisión { $version }.

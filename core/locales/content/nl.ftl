# Core messages: content (nl)
content-locked-title = Wordt bewerkt
content-locked-message = Iemand bewerkt dit item: het is vergrendeld tot die persoon klaar is of de vergrendeling verloopt.
content-stale-title = Intussen gewijzigd
content-stale-message = Dit item is gewijzigd sinds u het hebt geladen. Laad het opnieuw en breng uw wijziging opnieuw aan.
content-reverted = { $title } is teruggezet naar revisie { $version }.

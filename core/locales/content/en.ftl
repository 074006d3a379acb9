# Core messages: content (en)
content-locked-title = Being edited
content-locked-message = Someone is editing this item: it is locked until they finish or the lock expires.
content-stale-title = Changed meanwhile
content-stale-message = This item changed since you loaded it. Reload it and make your change again.
content-reverted = { $title } has been reverted to revision { $version }.

# Core messages: content (de)
content-locked-title = Wird bearbeitet
content-locked-message = Jemand bearbeitet dieses Element: Es ist gesperrt, bis die Person fertig ist oder die Sperre abläuft.
content-stale-title = Inzwischen geändert
content-stale-message = Dieses Element wurde geändert, seit Sie es geladen haben. Laden Sie es neu und nehmen Sie Ihre Änderung erneut vor.
content-reverted = { $title } wurde auf Revision { $version } zurückgesetzt.

# Core messages: admin (de)
admin-schema-default = Allgemein
admin-schema-fullname = Vollständiger Name
admin-schema-fullname-help = Der Name, den andere sehen.
admin-schema-email = E-Mail-Adresse
admin-schema-email-help = Wohin Links zum Zurücksetzen des Passworts gesendet werden.
admin-schema-language = Sprache
admin-schema-language-help = Die Sprache der Seiten; leer folgt dem Browser.
admin-role-reader = Leser
admin-role-contributor = Beitragender
admin-role-editor = Bearbeiter
admin-role-reviewer = Prüfer
admin-role-site-administrator = Website-Administrator
admin-role-manager = Verwalter

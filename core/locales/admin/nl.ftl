# Core messages: admin (nl)
admin-schema-default = Algemeen
admin-schema-fullname = Volledige naam
admin-schema-fullname-help = De naam die anderen zien.
admin-schema-email = E-mailadres
admin-schema-email-help = Waar herstellinks voor het wachtwoord naartoe gaan.
admin-schema-language = Taal
admin-schema-language-help = De taal van de pagina’s; leeg volgt de browser.
admin-role-reader = Lezer
admin-role-contributor = Bijdrager
admin-role-editor = Redacteur
admin-role-reviewer = Nakijker
admin-role-site-administrator = Sitebeheerder
admin-role-manager = Beheerder

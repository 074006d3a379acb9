# Core messages: admin (fr)
admin-schema-default = Général
admin-schema-fullname = Nom complet
admin-schema-fullname-help = Le nom montré aux autres.
admin-schema-email = Adresse e-mail
admin-schema-email-help = L’adresse où sont envoyés les liens de réinitialisation du mot de passe.
admin-schema-language = Langue
admin-schema-language-help = La langue d’affichage des pages ; vide suit le navigateur.
admin-role-reader = Lecteur
admin-role-contributor = Contributeur
admin-role-editor = Éditeur
admin-role-reviewer = Relecteur
admin-role-site-administrator = Administrateur du site
admin-role-manager = Gestionnaire

# Core messages: admin (es)
admin-schema-default = General
admin-schema-fullname = Nombre completo
admin-schema-fullname-help = El nombre que ven los demás.
admin-schema-email = Dirección de correo
admin-schema-email-help = Adonde se envían los enlaces para restablecer la contraseña.
admin-schema-language = Idioma
admin-schema-language-help = El idioma de las páginas; vacío sigue al navegador.
admin-role-reader = Lector
admin-role-contributor = Colaborador
admin-role-editor = Editor
admin-role-reviewer = Revisor
admin-role-site-administrator = Administrador del sitio
admin-role-manager = Gestor

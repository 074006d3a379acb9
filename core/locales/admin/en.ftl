# Core messages: admin (en)
admin-schema-default = Default
admin-schema-fullname = Full name
admin-schema-fullname-help = The name shown to others.
admin-schema-email = E-mail address
admin-schema-email-help = Where password reset links are sent.
admin-schema-language = Language
admin-schema-language-help = The language pages are shown in; empty follows the browser.
admin-role-reader = Reader
admin-role-contributor = Contributor
admin-role-editor = Editor
admin-role-reviewer = Reviewer
admin-role-site-administrator = Site Administrator
admin-role-manager = Manager

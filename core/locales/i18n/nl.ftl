# Core messages: i18n (nl)

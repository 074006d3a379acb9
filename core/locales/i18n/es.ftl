# Core messages: i18n (es)

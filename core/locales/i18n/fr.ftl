# Core messages: i18n (fr)

# Core messages: i18n (en)

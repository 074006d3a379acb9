# Core messages: i18n (de)

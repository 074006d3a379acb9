# Core messages: i18n (en) — languages, dates and numbers, translations

i18n-month-1 = January
i18n-month-2 = February
i18n-month-3 = March
i18n-month-4 = April
i18n-month-5 = May
i18n-month-6 = June
i18n-month-7 = July
i18n-month-8 = August
i18n-month-9 = September
i18n-month-10 = October
i18n-month-11 = November
i18n-month-12 = December
i18n-weekday-1 = Monday
i18n-weekday-2 = Tuesday
i18n-weekday-3 = Wednesday
i18n-weekday-4 = Thursday
i18n-weekday-5 = Friday
i18n-weekday-6 = Saturday
i18n-weekday-7 = Sunday
i18n-date-short = { $day }/{ $month }/{ $year }
i18n-date-long = { $day } { $month } { $year }
i18n-date-full = { $weekday } { $date }
i18n-datetime = { $date } at { $time }
# Between groups of three digits, from how many digits on, and before decimals.
i18n-number-group = ,
i18n-number-group-min = 4
i18n-number-decimal = .
i18n-switcher-label = Language
i18n-other-languages = This page in other languages
error-translation = this translation link is not possible
error-language = this language is not offered here

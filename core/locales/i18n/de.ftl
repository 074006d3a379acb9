# Core messages: i18n (de) — languages, dates and numbers, translations

i18n-month-1 = Januar
i18n-month-2 = Februar
i18n-month-3 = März
i18n-month-4 = April
i18n-month-5 = Mai
i18n-month-6 = Juni
i18n-month-7 = Juli
i18n-month-8 = August
i18n-month-9 = September
i18n-month-10 = Oktober
i18n-month-11 = November
i18n-month-12 = Dezember
i18n-weekday-1 = Montag
i18n-weekday-2 = Dienstag
i18n-weekday-3 = Mittwoch
i18n-weekday-4 = Donnerstag
i18n-weekday-5 = Freitag
i18n-weekday-6 = Samstag
i18n-weekday-7 = Sonntag
i18n-date-short = { $day }.{ $month }.{ $year }
i18n-date-long = { $day }. { $month } { $year }
i18n-date-full = { $weekday }, { $date }
i18n-datetime = { $date } um { $time } Uhr
# Between groups of three digits, from how many digits on, and before decimals.
i18n-number-group = .
i18n-number-group-min = 4
i18n-number-decimal = ,
i18n-switcher-label = Sprache
i18n-other-languages = Diese Seite in anderen Sprachen
error-translation = diese Übersetzungsverknüpfung ist nicht möglich
error-language = diese Sprache wird hier nicht angeboten

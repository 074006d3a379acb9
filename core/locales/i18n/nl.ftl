# Core messages: i18n (nl) — languages, dates and numbers, translations

i18n-month-1 = januari
i18n-month-2 = februari
i18n-month-3 = maart
i18n-month-4 = april
i18n-month-5 = mei
i18n-month-6 = juni
i18n-month-7 = juli
i18n-month-8 = augustus
i18n-month-9 = september
i18n-month-10 = oktober
i18n-month-11 = november
i18n-month-12 = december
i18n-weekday-1 = maandag
i18n-weekday-2 = dinsdag
i18n-weekday-3 = woensdag
i18n-weekday-4 = donderdag
i18n-weekday-5 = vrijdag
i18n-weekday-6 = zaterdag
i18n-weekday-7 = zondag
i18n-date-short = { $day }-{ $month }-{ $year }
i18n-date-long = { $day } { $month } { $year }
i18n-date-full = { $weekday } { $date }
i18n-datetime = { $date } om { $time }
# Between groups of three digits, from how many digits on, and before decimals.
i18n-number-group = .
i18n-number-group-min = 4
i18n-number-decimal = ,
i18n-switcher-label = Taal
i18n-other-languages = Deze pagina in andere talen
error-translation = deze vertaalkoppeling is niet mogelijk
error-language = deze taal wordt hier niet aangeboden

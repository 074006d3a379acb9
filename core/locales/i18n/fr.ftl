# Core messages: i18n (fr) — languages, dates and numbers, translations

i18n-month-1 = janvier
i18n-month-2 = février
i18n-month-3 = mars
i18n-month-4 = avril
i18n-month-5 = mai
i18n-month-6 = juin
i18n-month-7 = juillet
i18n-month-8 = août
i18n-month-9 = septembre
i18n-month-10 = octobre
i18n-month-11 = novembre
i18n-month-12 = décembre
i18n-weekday-1 = lundi
i18n-weekday-2 = mardi
i18n-weekday-3 = mercredi
i18n-weekday-4 = jeudi
i18n-weekday-5 = vendredi
i18n-weekday-6 = samedi
i18n-weekday-7 = dimanche
i18n-date-short = { $day }/{ $month }/{ $year }
i18n-date-long = { $day } { $month } { $year }
i18n-date-full = { $weekday } { $date }
i18n-datetime = { $date } à { $time }
# Between groups of three digits, from how many digits on, and before decimals.
i18n-number-group = { "\u202F" }
i18n-number-group-min = 4
i18n-number-decimal = ,
i18n-switcher-label = Langue
i18n-other-languages = Cette page dans d’autres langues
error-translation = ce lien de traduction n’est pas possible
error-language = cette langue n’est pas proposée ici

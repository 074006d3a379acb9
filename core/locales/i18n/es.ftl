# Core messages: i18n (es) — languages, dates and numbers, translations

i18n-month-1 = enero
i18n-month-2 = febrero
i18n-month-3 = marzo
i18n-month-4 = abril
i18n-month-5 = mayo
i18n-month-6 = junio
i18n-month-7 = julio
i18n-month-8 = agosto
i18n-month-9 = septiembre
i18n-month-10 = octubre
i18n-month-11 = noviembre
i18n-month-12 = diciembre
i18n-weekday-1 = lunes
i18n-weekday-2 = martes
i18n-weekday-3 = miércoles
i18n-weekday-4 = jueves
i18n-weekday-5 = viernes
i18n-weekday-6 = sábado
i18n-weekday-7 = domingo
i18n-date-short = { $day }/{ $month }/{ $year }
i18n-date-long = { $day } de { $month } de { $year }
i18n-date-full = { $weekday }, { $date }
i18n-datetime = { $date }, a las { $time }
# Between groups of three digits, from how many digits on, and before decimals.
i18n-number-group = .
i18n-number-group-min = 5
i18n-number-decimal = ,
i18n-switcher-label = Idioma
i18n-other-languages = Esta página en otros idiomas
error-translation = este enlace de traducción no es posible
error-language = este idioma no se ofrece aquí

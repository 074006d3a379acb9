skip-to-content = Zum Inhalt springen
main-navigation = Hauptnavigation
breadcrumbs = Sie sind hier
powered-by = erstellt mit Beffroi, freie Software für Gemeinden
last-modified = Zuletzt geändert
folder-empty = Dieser Ordner ist leer.
back-home = Zurück zur Startseite
not-found-title = Seite nicht gefunden
not-found-message = Wir konnten diese Seite nicht finden. Sie wurde vielleicht verschoben oder gelöscht.
bad-request-title = Ungültige Anfrage
bad-request-message = Diese Adresse ist nicht gültig.
method-not-allowed-title = Nicht erlaubt
method-not-allowed-message = Diese Adresse kann nicht auf diese Weise verwendet werden.
server-error-title = Etwas ist schiefgelaufen
server-error-message = Der Server konnte diese Seite nicht anzeigen. Bitte versuchen Sie es später erneut.
yes = Ja
no = Nein
login-link = Anmelden
login-offer = Wenn Sie diese Seite sehen dürfen, melden Sie sich zuerst an.
logged-in-as = Angemeldet als { $name }
logout-button = Abmelden
login-title = Anmelden
login-label = Benutzername
password-label = Passwort
login-button = Anmelden
login-failed = Benutzername oder Passwort falsch.
login-throttled = Zu viele fehlgeschlagene Versuche. Versuchen Sie es in { $minutes } Minuten erneut.
forgot-password = Passwort vergessen?
csrf-failed = Das Formular war abgelaufen. Bitte versuchen Sie es erneut.
reset-title = Passwort zurücksetzen
reset-intro = Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein: Wenn ein Konto dazu passt, senden wir an dessen Adresse einen Link, mit dem Sie ein neues Passwort wählen können. Der Link ist eine Stunde lang gültig.
reset-login-label = Benutzername oder E-Mail-Adresse
reset-send = Link senden
reset-sent = Wenn ein Konto dazu passt, ist eine Nachricht mit einem Link unterwegs. Sehen Sie in Ihrem Postfach nach.
reset-new-title = Neues Passwort wählen
password-rules = Mindestens 10 Zeichen, mit drei dieser vier Arten: Kleinbuchstaben, Großbuchstaben, Ziffern, Sonderzeichen.
new-password-label = Neues Passwort
confirm-password-label = Neues Passwort wiederholen
reset-save = Passwort speichern
reset-done = Ihr Passwort wurde geändert. Sie können sich jetzt damit anmelden.
reset-invalid = Dieser Link ist nicht gültig: Er ist abgelaufen oder wurde bereits verwendet. Fordern Sie einen neuen an.
passwords-differ = Die beiden Passwörter stimmen nicht überein.
reset-mail-subject = { $site }: Passwort zurücksetzen
reset-mail-body =
    Guten Tag { $name },

    jemand (hoffentlich Sie selbst) hat darum gebeten, Ihr Passwort auf { $site } zurückzusetzen.
    Um ein neues Passwort zu wählen, öffnen Sie innerhalb einer Stunde diesen Link:

    { $link }

    Wenn Sie nicht darum gebeten haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.
workflow-actions = Arbeitsablauf
state-label = Status:
comment-label = Kommentar
required = erforderlich
transition-not-permitted = Das dürfen Sie nicht tun.
unauthorized-title = Bitte melden Sie sich an
unauthorized-message = Sie müssen sich anmelden, um das zu tun.
forbidden-title = Nicht erlaubt
forbidden-message = Mit Ihrem Konto ist das nicht erlaubt.
throttled-title = Zu viele Versuche
throttled-message = Zu viele fehlgeschlagene Anmeldungen. Warten Sie einige Minuten und versuchen Sie es dann erneut.
invalid-title = Nicht möglich
invalid-message = Die gesendeten Daten sind nicht gültig.
conflict-title = Jetzt nicht möglich
conflict-message = Das ist in der aktuellen Situation des Elements nicht möglich.
too-large-title = Zu groß
too-large-message = Die gesendeten Daten sind zu groß.
error-csrf = das Formular war abgelaufen; laden Sie die Seite neu und versuchen Sie es erneut
error-required = dieses Feld ist erforderlich
error-weak_password = Das Passwort ist zu schwach: Es braucht mindestens 10 Zeichen, mit drei Arten aus Kleinbuchstaben, Großbuchstaben, Ziffern und Sonderzeichen.
error-bad_transition = diese Aktion ist im aktuellen Status nicht möglich
error-html_not_allowed = HTML ist hier nicht erlaubt
error-bad_json = die gesendeten Daten sind kein gültiges JSON

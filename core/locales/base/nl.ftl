skip-to-content = Naar de inhoud
main-navigation = Hoofdnavigatie
breadcrumbs = U bent hier
powered-by = gemaakt met Beffroi, vrije software voor gemeenten
last-modified = Laatst gewijzigd
folder-empty = Deze map is leeg.
back-home = Terug naar de startpagina
not-found-title = Pagina niet gevonden
not-found-message = We konden deze pagina niet vinden. Ze is misschien verplaatst of verwijderd.
bad-request-title = Ongeldige aanvraag
bad-request-message = Dit adres is niet geldig.
method-not-allowed-title = Niet toegestaan
method-not-allowed-message = Dit adres kan niet op deze manier gebruikt worden.
server-error-title = Er ging iets mis
server-error-message = De server kon deze pagina niet tonen. Probeer het later opnieuw.
yes = Ja
no = Nee
login-link = Aanmelden
login-offer = Als u deze pagina mag zien, meld u dan eerst aan.
logged-in-as = Aangemeld als { $name }
logout-button = Afmelden
login-title = Aanmelden
login-label = Gebruikersnaam
password-label = Wachtwoord
login-button = Aanmelden
login-failed = Verkeerde gebruikersnaam of wachtwoord.
login-throttled = Te veel mislukte pogingen. Probeer het over { $minutes } minuten opnieuw.
forgot-password = Wachtwoord vergeten?
csrf-failed = Het formulier was verlopen. Probeer het opnieuw.
reset-title = Uw wachtwoord opnieuw instellen
reset-intro = Geef uw gebruikersnaam of e-mailadres op: als er een overeenkomstige account bestaat, sturen we naar het bijbehorende e-mailadres een link om een nieuw wachtwoord te kiezen. De link is één uur geldig.
reset-login-label = Gebruikersnaam of e-mailadres
reset-send = Link versturen
reset-sent = Als er een overeenkomstige account bestaat, is er een bericht met een link onderweg. Kijk in uw mailbox.
reset-new-title = Kies een nieuw wachtwoord
password-rules = Minstens 10 tekens, met drie van deze vier soorten: kleine letters, hoofdletters, cijfers, speciale tekens.
new-password-label = Nieuw wachtwoord
confirm-password-label = Herhaal het nieuwe wachtwoord
reset-save = Wachtwoord opslaan
reset-done = Uw wachtwoord is gewijzigd. U kunt zich er nu mee aanmelden.
reset-invalid = Deze link is niet geldig: hij is verlopen of werd al gebruikt. Vraag een nieuwe aan.
passwords-differ = De twee wachtwoorden zijn niet hetzelfde.
reset-mail-subject = { $site }: stel uw wachtwoord opnieuw in
reset-mail-body =
    Beste { $name },

    Iemand (hopelijk uzelf) heeft gevraagd om uw wachtwoord op { $site } opnieuw in te stellen.
    Open deze link binnen het uur om een nieuw wachtwoord te kiezen:

    { $link }

    Hebt u dit niet gevraagd? Negeer dan dit bericht: uw wachtwoord blijft ongewijzigd.
workflow-actions = Werkstroom
state-label = Status:
comment-label = Opmerking
required = verplicht
transition-not-permitted = U mag dit niet doen.
unauthorized-title = Meld u aan
unauthorized-message = U moet aangemeld zijn om dit te doen.
forbidden-title = Niet toegestaan
forbidden-message = Met uw account mag u dit niet doen.
throttled-title = Te veel pogingen
throttled-message = Te veel mislukte aanmeldingen. Wacht enkele minuten en probeer het opnieuw.
invalid-title = Dit kan niet
invalid-message = De verstuurde gegevens zijn niet geldig.
conflict-title = Dit kan nu niet
conflict-message = Dit kan niet in de huidige situatie van het item.
too-large-title = Te groot
too-large-message = De verstuurde gegevens zijn te groot.
error-csrf = het formulier was verlopen; laad de pagina opnieuw en probeer het nog eens
error-required = dit is verplicht
error-weak_password = Het wachtwoord is te zwak: gebruik minstens 10 tekens, met drie soorten uit kleine letters, hoofdletters, cijfers en speciale tekens.
error-bad_transition = deze actie is niet mogelijk in de huidige status
error-html_not_allowed = HTML is hier niet toegestaan
error-bad_json = de verstuurde gegevens zijn geen geldige JSON

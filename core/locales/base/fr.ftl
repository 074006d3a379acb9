skip-to-content = Aller au contenu
main-navigation = Navigation principale
breadcrumbs = Vous êtes ici
powered-by = réalisé avec Beffroi, logiciel libre pour les communes
last-modified = Dernière modification
folder-empty = Ce dossier est vide.
back-home = Retour à l'accueil
not-found-title = Page introuvable
not-found-message = Nous n'avons pas trouvé cette page. Elle a peut-être été déplacée ou supprimée.
bad-request-title = Requête incorrecte
bad-request-message = Cette adresse n'est pas valide.
method-not-allowed-title = Action non permise
method-not-allowed-message = Cette adresse ne peut pas être utilisée de cette façon.
server-error-title = Un problème est survenu
server-error-message = Le serveur n'a pas pu afficher cette page. Veuillez réessayer plus tard.
yes = Oui
no = Non
login-link = Se connecter
login-offer = Si vous avez accès à cette page, connectez-vous d'abord.
logged-in-as = Connecté en tant que { $name }
logout-button = Se déconnecter
login-title = Connexion
login-label = Identifiant
password-label = Mot de passe
login-button = Se connecter
login-failed = Identifiant ou mot de passe incorrect.
login-throttled = Trop de tentatives échouées. Réessayez dans { $minutes } minutes.
forgot-password = Mot de passe oublié ?
csrf-failed = Le formulaire avait expiré. Veuillez réessayer.
reset-title = Réinitialiser votre mot de passe
reset-intro = Indiquez votre identifiant ou votre adresse e-mail : si un compte correspond, nous envoyons à son adresse un lien pour choisir un nouveau mot de passe. Le lien est valable une heure.
reset-login-label = Identifiant ou adresse e-mail
reset-send = Envoyer le lien
reset-sent = Si un compte correspond, un message contenant un lien est en route. Consultez votre boîte e-mail.
reset-new-title = Choisir un nouveau mot de passe
password-rules = Au moins 10 caractères, avec trois types parmi ces quatre : minuscules, majuscules, chiffres, symboles.
new-password-label = Nouveau mot de passe
confirm-password-label = Confirmer le nouveau mot de passe
reset-save = Enregistrer le mot de passe
reset-done = Votre mot de passe a été modifié. Vous pouvez maintenant l'utiliser pour vous connecter.
reset-invalid = Ce lien n'est pas valide : il a expiré ou a déjà été utilisé. Demandez-en un nouveau.
passwords-differ = Les deux mots de passe sont différents.
reset-mail-subject = { $site } : réinitialisation de votre mot de passe
reset-mail-body =
    Bonjour { $name },

    Quelqu'un (vous, nous l'espérons) a demandé la réinitialisation de votre mot de passe sur { $site }.
    Pour en choisir un nouveau, ouvrez ce lien dans l'heure :

    { $link }

    Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.
workflow-actions = Cycle de vie
state-label = État :
comment-label = Commentaire
required = obligatoire
transition-not-permitted = Cette action ne vous est pas permise.
unauthorized-title = Veuillez vous connecter
unauthorized-message = Vous devez vous connecter pour effectuer cette action.
forbidden-title = Action non permise
forbidden-message = Votre compte ne permet pas cette action.
throttled-title = Trop de tentatives
throttled-message = Trop de connexions échouées. Attendez quelques minutes, puis réessayez.
invalid-title = Action impossible
invalid-message = Les données envoyées ne sont pas valides.
conflict-title = Action impossible pour le moment
conflict-message = Cette action n'est pas possible dans la situation actuelle de l'élément.
too-large-title = Trop volumineux
too-large-message = Les données envoyées sont trop volumineuses.
error-csrf = le formulaire avait expiré ; rechargez la page et réessayez
error-required = ce champ est obligatoire
error-weak_password = Le mot de passe est trop faible : il faut au moins 10 caractères, avec trois types parmi minuscules, majuscules, chiffres et symboles.
error-bad_transition = cette action n'est pas possible dans l'état actuel
error-html_not_allowed = le HTML n'est pas autorisé ici
error-bad_json = les données envoyées ne sont pas du JSON valide

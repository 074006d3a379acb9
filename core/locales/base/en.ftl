skip-to-content = Skip to content
main-navigation = Main navigation
breadcrumbs = You are here
powered-by = made with Beffroi, free software for towns
last-modified = Last modified
folder-empty = This folder is empty.
back-home = Back to the home page
not-found-title = Page not found
not-found-message = We could not find this page. It may have been moved or deleted.
bad-request-title = Bad request
bad-request-message = This address is not valid.
method-not-allowed-title = Not allowed
method-not-allowed-message = This address cannot be used this way.
server-error-title = Something went wrong
server-error-message = The server could not show this page. Please try again later.
yes = Yes
no = No
login-link = Log in
login-offer = If this page is yours to see, log in first.
logged-in-as = Logged in as { $name }
logout-button = Log out
login-title = Log in
login-label = Login name
password-label = Password
login-button = Log in
login-failed = Wrong login name or password.
login-throttled = Too many failed attempts. Try again in { $minutes } minutes.
forgot-password = Forgot your password?
csrf-failed = The form had expired. Please try again.
reset-title = Reset your password
reset-intro = Give your login name or e-mail address: if an account matches, we send it a link to choose a new password. The link works for one hour.
reset-login-label = Login name or e-mail address
reset-send = Send the link
reset-sent = If an account matches, a message with a link is on its way. Check your mailbox.
reset-new-title = Choose a new password
password-rules = At least 10 characters, mixing three of: lower case, upper case, digits, signs.
new-password-label = New password
confirm-password-label = New password again
reset-save = Save the password
reset-done = Your password is changed. You can log in with it now.
reset-invalid = This link is not valid: it has expired or was already used. Ask for a new one.
passwords-differ = The two passwords differ.
reset-mail-subject = { $site }: reset your password
reset-mail-body =
    Hello { $name },

    Someone (you, we hope) asked to reset your password on { $site }.
    To choose a new one, open this link within the hour:

    { $link }

    If you did not ask for it, ignore this message: your password stays as it is.
workflow-actions = Workflow
state-label = State:
comment-label = Comment
required = required
transition-not-permitted = You may not do this.
unauthorized-title = Please log in
unauthorized-message = You need to log in to do this.
forbidden-title = Not allowed
forbidden-message = Your account may not do this.
throttled-title = Too many attempts
throttled-message = Too many failed logins. Wait a few minutes and try again.
invalid-title = Cannot do this
invalid-message = What was sent is not valid.
conflict-title = Cannot do this now
conflict-message = This cannot be done in the item's current situation.
too-large-title = Too large
too-large-message = What was sent is too large.
error-csrf = the form had expired; reload the page and try again
error-required = this is required
error-weak_password = The password is too weak: at least 10 characters, mixing three of lower case, upper case, digits and signs.
error-bad_transition = this action is not possible in the current state
error-html_not_allowed = HTML is not allowed here
error-bad_json = the data sent is not valid JSON

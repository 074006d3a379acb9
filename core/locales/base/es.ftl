skip-to-content = Ir al contenido
main-navigation = Navegación principal
breadcrumbs = Usted está aquí
powered-by = hecho con Beffroi, software libre para municipios
last-modified = Última modificación
folder-empty = Esta carpeta está vacía.
back-home = Volver a la página de inicio
not-found-title = Página no encontrada
not-found-message = No hemos encontrado esta página. Puede que se haya movido o eliminado.
bad-request-title = Solicitud incorrecta
bad-request-message = Esta dirección no es válida.
method-not-allowed-title = No permitido
method-not-allowed-message = Esta dirección no se puede usar de esta manera.
server-error-title = Algo salió mal
server-error-message = El servidor no pudo mostrar esta página. Inténtelo de nuevo más tarde.
yes = Sí
no = No
login-link = Iniciar sesión
login-offer = Si tiene acceso a esta página, inicie sesión primero.
logged-in-as = Sesión iniciada como { $name }
logout-button = Cerrar sesión
login-title = Iniciar sesión
login-label = Nombre de usuario
password-label = Contraseña
login-button = Iniciar sesión
login-failed = Nombre de usuario o contraseña incorrectos.
login-throttled = Demasiados intentos fallidos. Inténtelo de nuevo dentro de { $minutes } minutos.
forgot-password = ¿Ha olvidado su contraseña?
csrf-failed = El formulario había caducado. Inténtelo de nuevo.
reset-title = Restablecer su contraseña
reset-intro = Indique su nombre de usuario o su dirección de correo electrónico: si corresponden a una cuenta, le enviaremos un enlace para elegir una nueva contraseña. El enlace es válido durante una hora.
reset-login-label = Nombre de usuario o correo electrónico
reset-send = Enviar el enlace
reset-sent = Si corresponden a una cuenta, le hemos enviado un mensaje con un enlace. Revise su buzón de correo.
reset-new-title = Elija una nueva contraseña
password-rules = Al menos 10 caracteres, con tres de estos cuatro tipos: minúsculas, mayúsculas, cifras, símbolos.
new-password-label = Nueva contraseña
confirm-password-label = Repita la nueva contraseña
reset-save = Guardar la contraseña
reset-done = Se ha cambiado su contraseña. Ya puede iniciar sesión con ella.
reset-invalid = Este enlace no es válido: ha caducado o ya se ha utilizado. Solicite uno nuevo.
passwords-differ = Las dos contraseñas no coinciden.
reset-mail-subject = { $site }: restablezca su contraseña
reset-mail-body =
    Hola, { $name }:

    Alguien (esperamos que usted) ha solicitado restablecer su contraseña en { $site }.
    Para elegir una nueva, abra este enlace antes de que pase una hora:

    { $link }

    Si no lo ha solicitado, ignore este mensaje: su contraseña no cambiará.
workflow-actions = Flujo de trabajo
state-label = Estado:
comment-label = Comentario
required = obligatorio
transition-not-permitted = No tiene permiso para hacer esto.
unauthorized-title = Inicie sesión
unauthorized-message = Debe iniciar sesión para hacer esto.
forbidden-title = No permitido
forbidden-message = Su cuenta no tiene permiso para hacer esto.
throttled-title = Demasiados intentos
throttled-message = Demasiados inicios de sesión fallidos. Espere unos minutos e inténtelo de nuevo.
invalid-title = No se puede hacer
invalid-message = Los datos enviados no son válidos.
conflict-title = No se puede hacer ahora
conflict-message = Esto no se puede hacer en la situación actual del elemento.
too-large-title = Demasiado grande
too-large-message = Los datos enviados son demasiado grandes.
error-csrf = el formulario había caducado; vuelva a cargar la página e inténtelo de nuevo
error-required = este campo es obligatorio
error-weak_password = La contraseña es demasiado débil: necesita al menos 10 caracteres, con tres tipos entre minúsculas, mayúsculas, cifras y símbolos.
error-bad_transition = esta acción no es posible en el estado actual
error-html_not_allowed = aquí no se permite HTML
error-bad_json = los datos enviados no son JSON válido

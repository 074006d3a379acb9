# Core messages: edit (nl)

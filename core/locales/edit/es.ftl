# Core messages: edit (es)

# Core messages: edit (en)

# Core messages: edit (fr)

# Core messages: edit (de)

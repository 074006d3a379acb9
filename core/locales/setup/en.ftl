# Core messages: setup (en)

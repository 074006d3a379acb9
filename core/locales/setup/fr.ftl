# Core messages: setup (fr)

# Core messages: setup (es)

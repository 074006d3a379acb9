# Core messages: setup (nl)

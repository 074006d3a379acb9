# Core messages: setup (de)

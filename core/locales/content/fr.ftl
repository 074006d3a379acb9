# Core messages: content (fr)

# Core messages: content (en)

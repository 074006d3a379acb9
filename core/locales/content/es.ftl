# Core messages: content (es)

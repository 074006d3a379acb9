# Core messages: content (nl)

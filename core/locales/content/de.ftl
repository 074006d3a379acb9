# Core messages: content (de)

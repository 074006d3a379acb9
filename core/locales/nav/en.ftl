# Core messages: nav (en)

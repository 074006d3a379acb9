# Core messages: nav (fr)

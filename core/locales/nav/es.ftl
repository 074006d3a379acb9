# Core messages: nav (es)

# Core messages: nav (nl)

# Core messages: nav (de)

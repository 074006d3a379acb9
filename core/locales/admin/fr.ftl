# Core messages: admin (fr)

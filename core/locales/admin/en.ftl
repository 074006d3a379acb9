# Core messages: admin (en)

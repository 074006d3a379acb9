# Core messages: admin (es)

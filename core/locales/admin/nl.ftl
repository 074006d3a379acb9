# Core messages: admin (nl)

# Core messages: admin (de)

"""E-mail (.eml, .msg): headers become fields, attachments become child documents."""

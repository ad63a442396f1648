"""Text: bytes to a decoded page, the normaliser (page to text and blocks), tokens and whitespace folding."""

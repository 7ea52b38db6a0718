"""Name normalisation, transliteration and romanization."""

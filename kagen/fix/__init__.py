"""``kagen fix``: the rules' fixes applied to the original text and checked by linting it again."""

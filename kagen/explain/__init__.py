"""``kagen explain``: what each cluster does when something fails (scenarios), and its report."""

"""Existing cloud state (saved API responses, Terraform state) turned into an inventory."""

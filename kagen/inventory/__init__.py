"""The inventory: YAML, JSON or TOML with positions, its schema, and loading it into the cloud
resource model (kagen.cloud.model) with every problem located in the file."""

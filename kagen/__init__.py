"""kagen: lint and generate keepalived configurations for unicast VRRP pairs."""

__version__ = "0.1.0"

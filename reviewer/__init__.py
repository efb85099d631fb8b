"""reviewer: an offline review workstation for legal and financial documents."""

__version__ = "0.1.0"
